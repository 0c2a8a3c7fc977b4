"""The member's side of a card payment in tests, as Stripe.js would do it against localstripe."""

import hashlib
import hmac
import json
import time
from typing import Any


def pay(stripe: Any, payment: dict[str, Any], card: str = "pm_card_visa") -> Any:
    """What the member's browser does with the client secret: attach a card, confirm."""
    stripe.v1.payment_intents.update(payment["payment_intent_id"], params={"payment_method": card})
    try:
        return stripe.v1.payment_intents.confirm(payment["payment_intent_id"])
    except Exception as declined:  # a declined card raises CardError, as with real Stripe
        return declined


def signed_delivery(
    api: Any, settings: dict[str, str], event: dict[str, Any], *, secret=None, timestamp=None
):
    """POST an event to the webhook as Stripe would, signed with the endpoint's secret."""
    body = json.dumps(event)
    timestamp = timestamp or int(time.time())
    key = (secret or settings["webhook_secret"]).encode()
    signature = hmac.new(key, f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    headers = {"Stripe-Signature": f"t={timestamp},v1={signature}", "Content-Type": "application/json"}
    return api.call("POST", "/webhooks/stripe", raw_body=body.encode(), headers=headers)
