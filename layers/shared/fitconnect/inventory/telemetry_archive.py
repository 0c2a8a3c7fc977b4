"""The raw telemetry archive for analytics: every valid message, in batches, partitioned by date.

The archive function reads the telemetry stream on its own (beside the ingest function) and writes
one JSON Lines object per date per batch to `telemetry/dt=YYYY-MM-DD/<batch key>.jsonl` in the
analytics bucket, each message validated and its time in UTC (an invalid one is the ingest
function's to record as rejected). The batch key is derived from the records' ids, so a retried
batch overwrites the same object: no duplicates.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from fitconnect.inventory.telemetry import message_of, valid
from fitconnect.platform import aws, clock
from fitconnect.platform.settings import env


def write_batch(records: list[dict[str, Any]]) -> list[str]:
    """Write a batch of Kinesis records; returns the object keys written."""
    by_date: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for record in records:
        telemetry = valid(message_of(record))
        if isinstance(telemetry, str):
            continue  # the ingest function records it as rejected
        ts = clock.to_iso(telemetry.moment())
        line = json.dumps({**telemetry.model_dump(mode="json", exclude_none=True), "ts": ts})
        by_date[ts[:10]].append((record["eventID"], line))
    keys = []
    for date, entries in sorted(by_date.items()):
        entries.sort()
        batch_key = hashlib.sha256("".join(event_id for event_id, _ in entries).encode()).hexdigest()[:24]
        key = f"telemetry/dt={date}/{batch_key}.jsonl"
        lines = "\n".join(line for _, line in entries) + "\n"
        aws.client("s3").put_object(
            Bucket=env("ANALYTICS_BUCKET"), Key=key, Body=lines.encode(), ContentType="application/x-ndjson"
        )
        keys.append(key)
    return keys
