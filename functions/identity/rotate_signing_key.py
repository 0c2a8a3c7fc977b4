"""Scheduled: a new RS256 signing key; the previous one keeps verifying until its tokens expire."""

from typing import Any

from fitconnect.identity import keys
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, str]:
    return {"kid": keys.rotate().kid}
