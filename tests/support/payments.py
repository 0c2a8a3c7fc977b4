"""The member's side of a card payment in tests, as Stripe.js would do it against localstripe."""

from typing import Any


def pay(stripe: Any, payment: dict[str, Any], card: str = "pm_card_visa") -> Any:
    """What the member's browser does with the client secret: attach a card, confirm."""
    stripe.v1.payment_intents.update(payment["payment_intent_id"], params={"payment_method": card})
    try:
        return stripe.v1.payment_intents.confirm(payment["payment_intent_id"])
    except Exception as declined:  # a declined card raises CardError, as with real Stripe
        return declined
