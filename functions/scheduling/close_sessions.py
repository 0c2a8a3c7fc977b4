"""Every 15 minutes: sessions that have ended are closed (no-shows marked, unpaid holds expired)."""

from typing import Any

from fitconnect.platform.observability import logger
from fitconnect.scheduling import attendance


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"closed": attendance.close_ended_sessions()}
