"""What other contexts may use of pricing: a booking's cover (chosen from the member's wallet, read
with the session, taken and given back inside scheduling's transactions), the Stripe events that
concern purchases (for the payments webhook consumer), and the member's export and erasure.

The wallet's names load on first use (platform.faces): scheduling imports this face for a
booking's cover, which only its booking paths read."""

from __future__ import annotations

from typing import Any

from fitconnect.platform.faces import lazy_face

_ENTITLEMENTS = "fitconnect.pricing.entitlements"
_EXPORTS = {
    "Cover": _ENTITLEMENTS,
    "Wallet": "fitconnect.pricing.models",
    "choose": _ENTITLEMENTS,
    "give_back": _ENTITLEMENTS,
    "of_member": _ENTITLEMENTS,
    "take": _ENTITLEMENTS,
    "wallet_key": _ENTITLEMENTS,
    "wallet_of": _ENTITLEMENTS,
}
__all__ = [*sorted(_EXPORTS), "export_part", "stripe_handler"]
__getattr__ = lazy_face(__name__, _EXPORTS)

PURCHASE_EVENTS = (
    "invoice.payment_succeeded",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.subscription.deleted",
)
INTENT_EVENTS = ("payment_intent.succeeded", "payment_intent.canceled")


def stripe_handler(event_type: str, stripe_object: dict[str, Any]) -> Any:
    """Pricing's handler for a Stripe event, or None when the event is not about a purchase.
    Purchases and penalties are imported on use: scheduling's functions import this module for a
    booking's cover and should not pay for Stripe's side of pricing at cold start."""
    from fitconnect.pricing import purchases

    metadata = stripe_object.get("metadata") or {}
    handlers = {
        "invoice.payment_succeeded": purchases.on_invoice_paid,
        "invoice.paid": purchases.on_invoice_paid,
        "invoice.payment_failed": purchases.on_invoice_failed,
        "customer.subscription.deleted": purchases.on_subscription_deleted,
        "payment_intent.succeeded": purchases.on_intent_succeeded,
        "payment_intent.canceled": purchases.on_intent_canceled,
    }
    if event_type in PURCHASE_EVENTS or (event_type in INTENT_EVENTS and metadata.get("purchase_id")):
        return handlers[event_type]
    if metadata.get("penalty_id"):
        return lambda _object: "penalty_payment"  # recorded when the charge answered: nothing to settle
    return None


def export_part(user_id: str) -> dict[str, Any]:
    # On use, off the cold start of scheduling's functions (see stripe_handler).
    from fitconnect.pricing import penalties, purchases
    from fitconnect.pricing.entitlements import of_member

    return {
        "purchases": [purchases.view(purchase) for purchase in purchases.of_member(user_id)],
        "entitlements": of_member(user_id),
        "penalties": [penalties.view(penalty) for penalty in penalties.all_of_member(user_id)],
    }
