"""Every 2 minutes: equipment silent for more than 10 minutes goes offline."""

from typing import Any

from fitconnect.inventory import equipment
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return equipment.sweep()
