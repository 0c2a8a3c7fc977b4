"""Typed domain events, published to the one custom EventBridge bus with a correlation id.

Every event travels as `detail = {"metadata": {...}, "data": {...}}`: `data` is the event model,
`metadata` carries `event_id` (a ULID, the consumers' deduplication key), `occurred_at` and the
`correlation_id` of the request that caused it, so one user action can be followed across functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from fitconnect.platform import aws, clock, ids
from fitconnect.platform.observability import logger
from fitconnect.platform.settings import EVENT_BUS_VAR, env

PUT_EVENTS_BATCH = 10  # EventBridge's limit per PutEvents call


class DomainEvent(BaseModel):
    """Base of every event; subclasses set `source` (fitconnect.<context>) and `detail_type`."""

    # defer_build: an event model is built when the first one is published, not at import
    model_config = ConfigDict(frozen=True, defer_build=True)
    source: ClassVar[str]
    detail_type: ClassVar[str]


class EventPublishError(RuntimeError):
    """EventBridge refused some entries even after a retry."""


def to_entry(event: DomainEvent, *, correlation_id: str | None, bus_name: str) -> dict[str, Any]:
    occurred_at = clock.now()
    detail = {
        "metadata": {
            "event_id": ids.new_id(),
            "occurred_at": clock.to_iso(occurred_at),
            "correlation_id": correlation_id,
        },
        "data": event.model_dump(mode="json"),
    }
    return {
        "EventBusName": bus_name,
        "Source": event.source,
        "DetailType": event.detail_type,
        "Detail": json.dumps(detail, separators=(",", ":")),
        "Time": occurred_at,
    }


def publish(events: Iterable[DomainEvent], *, correlation_id: str | None = None) -> list[str]:
    """Publish events in as few PutEvents calls as possible; returns their event ids.

    The correlation id defaults to the one the Logger holds for the current request.
    """
    if correlation_id is None:
        correlation_id = logger.get_correlation_id()
    bus_name = env(EVENT_BUS_VAR)
    entries = [to_entry(event, correlation_id=correlation_id, bus_name=bus_name) for event in events]
    for start in range(0, len(entries), PUT_EVENTS_BATCH):
        _put_with_one_retry(entries[start : start + PUT_EVENTS_BATCH])
    return [json.loads(entry["Detail"])["metadata"]["event_id"] for entry in entries]


def _put_with_one_retry(entries: list[dict[str, Any]]) -> None:
    client = aws.client("events")
    pending = entries
    for _attempt in range(2):
        result = client.put_events(Entries=pending)
        if not result.get("FailedEntryCount"):
            return
        # Entries map one-to-one onto results; keep only the ones that failed (usually throttling).
        pending = [
            entry
            for entry, outcome in zip(pending, result["Entries"], strict=True)
            if outcome.get("ErrorCode")
        ]
    raise EventPublishError(f"EventBridge rejected {len(pending)} event(s)")
