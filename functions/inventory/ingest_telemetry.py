"""IoT rule (`fitconnect/equipment/+/telemetry`): apply one telemetry message; bad ones are recorded."""

from typing import Any

from fitconnect.inventory import equipment
from fitconnect.platform.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    message = event if isinstance(event, dict) else {"payload": event}
    return {"outcome": equipment.ingest(message)}
