"""Every 5 minutes: the reminders due since the last run go to the notifications queue, once each."""

from typing import Any

from fitconnect.notifications import reminders
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"reminders": reminders.queue_due()}
