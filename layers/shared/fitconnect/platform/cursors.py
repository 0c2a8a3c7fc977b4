"""Paging for list endpoints: `?limit=` (1..100, default 20) and an opaque `?cursor=`.

A cursor is DynamoDB's LastEvaluatedKey, base64url-encoded. It is opaque to clients but not
secret, so decoding checks that the key stays inside the partition the caller may read: a
hand-made cursor cannot page into someone else's items, and a mangled one is a 400, not a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Query

from fitconnect.platform.contract import View
from fitconnect.platform.errors import BadRequest

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 2048
TABLE_KEY = {"pk", "sk"}
INDEX_KEY = {"gsi1pk", "gsi1sk"}  # every context table has one index, gsi1 (storage.gsi1_index)


Item = TypeVar("Item")


class Page(View, Generic[Item]):
    """The shape of every list answer (for the OpenAPI document)."""

    items: list[Item]
    next_cursor: str | None


@dataclass(frozen=True)
class PageRequest:
    limit: int
    start_key: dict[str, Any] | None


def encode_cursor(last_key: Mapping[str, Any] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(dict(last_key), separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, bound_to: Mapping[str, Any]) -> dict[str, Any] | None:
    """The start key in `cursor`, which must carry exactly the values of `bound_to` (its partition)."""
    if not cursor:
        return None
    key: Any = None
    if len(cursor) <= MAX_CURSOR_CHARS:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
            key = None
    if not _is_key(key) or any(key.get(name) != value for name, value in bound_to.items()):
        raise BadRequest(
            "The cursor is not valid for this list.",
            code="invalid_cursor",
            details=[{"field": "cursor", "in": "query", "message": "not a cursor this list returned"}],
        )
    return key


def _is_key(key: Any) -> bool:
    """A DynamoDB key as LastEvaluatedKey gives it (the table's key, plus the index's whole key
    for an index query; each a string or number), or a lone index partition to start in (the
    sessions listing's next month). Anything else never came from us, and DynamoDB would refuse it."""
    if not isinstance(key, dict) or not all(_is_key_value(value) for value in key.values()):
        return False
    return set(key) in ({"gsi1pk"}, TABLE_KEY, TABLE_KEY | INDEX_KEY)


def _is_key_value(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    kind, raw = next(iter(value.items()))
    if kind == "S":
        return isinstance(raw, str) and 0 < len(raw) <= 1024
    return kind == "N" and isinstance(raw, str) and raw.lstrip("-").isdigit()


# A list route's paging parameters, declared in its signature: validated, and in the OpenAPI document.
Limit = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description="Items per page (default 20).")]
Cursor = Annotated[
    str | None,
    Query(min_length=1, max_length=MAX_CURSOR_CHARS, description="`next_cursor` of the previous page."),
]


def page_request(limit: int | None, cursor: str | None, *, bound_to: Mapping[str, Any]) -> PageRequest:
    """A page of `limit` items (default 20) from `cursor`, which must belong to `bound_to`'s partition."""
    if limit is not None and not 1 <= limit <= MAX_LIMIT:  # callers outside a validated route
        raise BadRequest(
            f"limit must be a whole number from 1 to {MAX_LIMIT}.",
            code="validation_failed",
            details=[{"field": "limit", "in": "query", "message": f"must be 1..{MAX_LIMIT}"}],
        )
    return PageRequest(limit=limit or DEFAULT_LIMIT, start_key=decode_cursor(cursor, bound_to=bound_to))


def page(items: list[Any], last_key: Mapping[str, Any] | None) -> dict[str, Any]:
    """The API's list shape."""
    return {"items": items, "next_cursor": encode_cursor(last_key)}


def members_page(
    limit: int | None,
    cursor: str | None,
    model: Any,
    user_id: str,
    view: Any,
    *,
    sort_key: Any = None,
    only: Any = None,
) -> dict[str, Any]:
    """One page of the caller's own items of `model`, newest first, from its gsi1 listing
    (`MEMBER#<user_id>` / `<time>#<id>`): GET /me/bookings, /me/payments, /me/notifications,
    /me/activities; `sort_key` narrows it (a time range), `only` filters it. The cursor is bound to
    the caller, so nobody pages through another member's list."""
    request = page_request(limit, cursor, bound_to={"gsi1pk": {"S": f"MEMBER#{user_id}"}})
    results = model.gsi1.query(
        f"MEMBER#{user_id}",
        sort_key,
        filter_condition=only,
        scan_index_forward=False,
        limit=request.limit,
        page_size=request.limit,
        last_evaluated_key=request.start_key,
    )
    return page([view(item) for item in results], results.last_evaluated_key)
