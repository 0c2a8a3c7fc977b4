"""Every hour: the weekly summaries due now (Monday from 08:00 in each member's time zone)."""

from typing import Any

from fitconnect.coaching import summaries
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"sent": summaries.send_due()}
