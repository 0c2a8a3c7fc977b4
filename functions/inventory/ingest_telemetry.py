"""Kinesis (the telemetry stream, fed by the IoT rule): a batch of equipment telemetry applied with one
write per machine; the records of a machine whose write failed are reported for a retry."""

from typing import Any

from fitconnect.inventory import telemetry
from fitconnect.platform.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    batch = [(record["kinesis"]["sequenceNumber"], telemetry.message_of(record)) for record in records]
    outcomes, retry = telemetry.ingest_batch(batch)
    logger.info("telemetry applied", extra={"records": len(records), "outcomes": dict(outcomes)})
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in retry]}
