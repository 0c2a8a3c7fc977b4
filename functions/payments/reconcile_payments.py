"""Every 15 minutes: payments still open are checked against Stripe (missed webhooks repaired)."""

from typing import Any

from fitconnect.payments import payments
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return payments.reconcile()
