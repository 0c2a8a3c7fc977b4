"""Every hour: class packs past their date become `expired`."""

from typing import Any

from fitconnect.platform.observability import logger
from fitconnect.pricing import lifecycle


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return {"expired": lifecycle.expire_packs()}
