"""The HttpApi's Lambda REQUEST authorizer (simple responses): who is calling, if anyone."""

from typing import Any

from fitconnect.identity.authorizer import authorize
from fitconnect.platform.observability import logger


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return authorize(event)
