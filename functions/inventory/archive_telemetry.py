"""SQS: raw equipment telemetry to the analytics bucket, one JSON Lines object per date per batch.

The whole batch is one write per date: if it fails, the batch is retried (then the DLQ) and the
retry overwrites the same objects.
"""

from typing import Any

from fitconnect.inventory.telemetry_archive import write_batch
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    keys = write_batch(event.get("Records") or [])
    logger.info("telemetry archived", extra={"objects": keys, "messages": len(event.get("Records") or [])})
    return {"batchItemFailures": []}
