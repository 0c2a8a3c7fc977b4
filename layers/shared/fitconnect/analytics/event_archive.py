"""Every domain event on the bus, archived to S3 as delivered, partitioned by day and source.

The object key is the event's own id, so a redelivered message (SQS is at-least-once) overwrites
the same object with the same content: archiving is idempotent without a lookup.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fitconnect.platform import aws
from fitconnect.platform.settings import env

PREFIX = "events"


class BusEvent(BaseModel):
    """The envelope fields the archive needs; everything else is kept verbatim in the object."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    detail_type: str = Field(alias="detail-type", min_length=1)
    time: datetime
    detail: dict[str, Any]

    @property
    def event_id(self) -> str:
        """The domain event id when the event carries one, else EventBridge's own id."""
        metadata = self.detail.get("metadata")
        if isinstance(metadata, dict) and isinstance(metadata.get("event_id"), str):
            return metadata["event_id"]
        return self.id


def archive_key(event: BusEvent) -> str:
    return f"{PREFIX}/dt={event.time:%Y-%m-%d}/source={event.source}/{event.event_id}.json"


def archive(raw_event: str) -> str:
    """Validate one delivered event and store it as delivered; returns the object key."""
    event = BusEvent.model_validate_json(raw_event)
    key = archive_key(event)
    aws.client("s3").put_object(
        Bucket=env("ANALYTICS_BUCKET"), Key=key, Body=raw_event.encode(), ContentType="application/json"
    )
    return key
