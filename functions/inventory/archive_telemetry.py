"""Kinesis (the telemetry stream, its second reader): the batch's valid messages to the analytics
bucket, one JSON Lines object per date. A failed write fails the batch: Lambda retries it (then the
failed-batches queue) and the retry overwrites the same objects (their keys come from the records)."""

from typing import Any

from fitconnect.inventory.telemetry_archive import write_batch
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    keys = write_batch(records)
    logger.info("telemetry archived", extra={"objects": keys, "records": len(records)})
    return {"batchItemFailures": []}
