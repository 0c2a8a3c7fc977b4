"""Every minute: seats held for payment past their 15 minutes expire; the waitlist moves up."""

from typing import Any

from fitconnect.platform.observability import logger
from fitconnect.scheduling import bookings


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"expired": bookings.expire_holds()}
