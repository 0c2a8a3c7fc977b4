"""API Gateway HTTP API (payload 2.0) events for in-process handler tests, built by the same code
as the local runtime's gateway, plus the authorizer context a test wants the caller to have."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from fitconnect_local.apigw import http_event


def api_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    route: str | None = None,
    path_params: dict[str, str] | None = None,
    caller: tuple[str, str] | None = None,
) -> dict[str, Any]:
    payload = raw_body if raw_body is not None else (json.dumps(body) if body is not None else "")
    event = http_event(
        method=method,
        route_key=f"{method} {route or path}",
        path=path,
        query=urlencode(query or {}),
        header_pairs=[("content-type", "application/json"), *(headers or {}).items()],
        path_params=path_params,
        body=payload.encode(),
        request_id=str(uuid.uuid4()),
    )
    if caller:
        event["requestContext"]["authorizer"] = {"lambda": {"user_id": caller[0], "role": caller[1]}}
    return event


def response_json(response: dict[str, Any]) -> Any:
    return json.loads(response["body"]) if response.get("body") else None
