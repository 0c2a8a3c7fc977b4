"""The raw telemetry archive for analytics: every valid message, in batches, partitioned by date.

The ingest function hands each valid message to a queue (`TELEMETRY_ARCHIVE_QUEUE_URL`); the
archiver receives them in batches and writes one JSON Lines object per date per batch to
`telemetry/dt=YYYY-MM-DD/<batch key>.jsonl` in the analytics bucket. The batch key is derived
from the message ids, so a retried batch overwrites the same object: no duplicates.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from fitconnect.platform import aws
from fitconnect.platform.settings import env


def enqueue(message: dict[str, Any]) -> None:
    aws.client("sqs").send_message(
        QueueUrl=env("TELEMETRY_ARCHIVE_QUEUE_URL"), MessageBody=json.dumps(message, default=str)
    )


def write_batch(records: list[dict[str, Any]]) -> list[str]:
    """Write a batch of SQS records; returns the object keys written."""
    by_date: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for record in records:
        body = record["body"]
        date = str(json.loads(body).get("ts", ""))[:10] or "unknown"
        by_date[date].append((record["messageId"], body))
    keys = []
    for date, entries in sorted(by_date.items()):
        entries.sort()
        batch_key = hashlib.sha256("".join(message_id for message_id, _ in entries).encode()).hexdigest()[:24]
        key = f"telemetry/dt={date}/{batch_key}.jsonl"
        lines = "\n".join(body for _, body in entries) + "\n"
        aws.client("s3").put_object(
            Bucket=env("ANALYTICS_BUCKET"), Key=key, Body=lines.encode(), ContentType="application/x-ndjson"
        )
        keys.append(key)
    return keys
