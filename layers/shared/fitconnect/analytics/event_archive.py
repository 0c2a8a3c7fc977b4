"""Every domain event on the bus, archived to S3 as JSON, partitioned by day and source.

The object key is the event's own id, so a redelivered message (SQS is at-least-once) overwrites
the same object with the same content: archiving is idempotent without a lookup.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.parser.models.event_bridge import EventBridgeModel

from fitconnect.platform.settings import env

PREFIX = "events"


def archive_key(event: EventBridgeModel) -> str:
    day = event.time.strftime("%Y-%m-%d")
    return f"{PREFIX}/dt={day}/source={event.source}/{event_id(event)}.json"


def event_id(event: EventBridgeModel) -> str:
    """The domain event id when the event carries one, else EventBridge's own id."""
    metadata = event.detail.get("metadata") if isinstance(event.detail, dict) else None
    if isinstance(metadata, dict) and isinstance(metadata.get("event_id"), str):
        return metadata["event_id"]
    return event.id


def archive(event: EventBridgeModel) -> str:
    key = archive_key(event)
    body = event.model_dump(mode="json", by_alias=True)
    _s3().put_object(
        Bucket=env("ANALYTICS_BUCKET"),
        Key=key,
        Body=json.dumps(body, separators=(",", ":")).encode(),
        ContentType="application/json",
    )
    return key


@cache
def _s3() -> Any:
    import boto3

    return boto3.client("s3")
