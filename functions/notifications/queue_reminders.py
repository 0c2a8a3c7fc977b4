"""Every 5 minutes: confirmed bookings entering a reminder lead get their reminder, once each."""

from typing import Any

from fitconnect.notifications import notifications
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"reminders": notifications.queue_reminders()}
