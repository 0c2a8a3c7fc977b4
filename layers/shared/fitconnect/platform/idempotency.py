"""`Idempotency-Key` for mutating POSTs, on Powertools idempotency and the idempotency table.

The key is scoped to the caller and the route; the request body's hash is validated, so the same
key with another body is a 422 rather than a silent replay of something else. The first response
is kept 24 h. A request that raises (any 4xx) is not recorded: it changed nothing, so a retry
runs again. A concurrent duplicate still in flight gets 409.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from fitconnect.platform import contention
from fitconnect.platform.errors import BadRequest, Conflict, Unprocessable

HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255


@contention.idempotent_on_first_use(
    data_keyword_argument="request",
    event_key_jmespath="key",
    payload_validation_jmespath="body_sha256",
    expires_after_seconds=TTL_SECONDS,
    response_hook=lambda response, _record: {**response, "replayed": True},
)
def _first_response(*, request: dict[str, str], produce: Callable[[], Response]) -> dict[str, Any]:
    response = produce()
    body = response.body
    if not isinstance(body, str | bytes | None):
        body = json.dumps(body, separators=(",", ":"), default=str)
    return {"status": response.status_code, "headers": dict(response.headers or {}), "body": body}


def replay_by_idempotency_key(event: Any, lambda_context: Any, produce: Callable[[], Response]) -> Response:
    """`produce()`'s response, or the first one stored for this caller's `Idempotency-Key` on this
    request (`event`: Powertools' HTTP API event)."""
    key = event.headers.get(HEADER)
    if key is None:
        return produce()
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        raise BadRequest(
            "Idempotency-Key must be 1 to 255 printable characters.",
            code="invalid_idempotency_key",
            details=[{"field": "Idempotency-Key", "in": "header", "message": "1..255 printable characters"}],
        )
    user = ((event.request_context.authorizer.get_lambda or {}).get("user_id")) or "anonymous"
    path = event.raw_event.get("rawPath", event.path)
    request = {
        # The concrete path (not the route template): one key means one request on one resource.
        "key": f"{user}|{event.request_context.http.method} {path}|{key}",
        "body_sha256": hashlib.sha256((event.decoded_body or "").encode()).hexdigest(),
    }
    # Only a request that carries a key loads Powertools' idempotency (and boto3 with it): cold start.
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if lambda_context is not None:
        _first_response.register_lambda_context(lambda_context)
    try:
        stored = _first_response(request=request, produce=produce)
    except IdempotencyValidationError:
        raise Unprocessable(
            "This Idempotency-Key was already used with a different request body.",
            code="idempotency_key_reused",
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress.", code="request_in_progress"
        ) from None
    headers = dict(stored.get("headers") or {})
    if stored.get("replayed"):
        headers[REPLAYED_HEADER] = "true"
    headers.pop("Content-Type", None)
    return Response(
        status_code=stored["status"],
        content_type=content_types.APPLICATION_JSON,
        body=stored["body"],
        headers=headers,
    )
