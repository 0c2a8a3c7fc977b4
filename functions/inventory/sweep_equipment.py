"""Every 2 minutes: silent equipment goes offline; old hourly and daily usage is pruned."""

from typing import Any

from fitconnect.inventory import equipment
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return equipment.sweep()
