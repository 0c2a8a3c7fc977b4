"""Every 5 minutes: notifications held back by quiet hours that have ended are sent."""

from typing import Any

from fitconnect.notifications import notifications
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"released": notifications.release_deferred()}
