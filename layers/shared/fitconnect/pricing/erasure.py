"""An erased member's pricing data. Policy (README "Pricing"): their memberships are cancelled at
Stripe at once (no further charges; the current period is not refunded), an unpaid purchase's
intent is cancelled (it can no longer be paid for nothing), unused pack credits lapse; then the
wallet, purchases, penalties and counters are deleted. Repeatable (SQS redelivery)."""

from __future__ import annotations

from fitconnect.payments import public as payments
from fitconnect.platform.observability import logger
from fitconnect.pricing.entitlements import entries, wallet_of
from fitconnect.pricing.models import (
    ExpiryMarker,
    PricingItem,
    Redemptions,
    SubscriptionLink,
)
from fitconnect.pricing.penalties import all_of_member
from fitconnect.pricing.purchases import of_member


def forget(user_id: str) -> None:
    doomed: list[PricingItem] = []
    for entry in entries(wallet_of(user_id, consistent=True)).values():
        subscription_id = entry.get("subscription_id")
        if subscription_id and entry.get("status") != "cancelled":
            _cancel_at_stripe("subscriptions", str(subscription_id))
        if subscription_id:
            doomed.append(SubscriptionLink(*SubscriptionLink.key(str(subscription_id))))
        if entry["kind"] == "class_pack":
            marker_key = ExpiryMarker.key(str(entry["expires_at"]), user_id, str(entry["entitlement_id"]))
            doomed.append(ExpiryMarker(*marker_key))
    for purchase in of_member(user_id):
        if purchase.status == "pending_payment" and purchase.payment_intent_id:
            _cancel_at_stripe("payment_intents", purchase.payment_intent_id)
        if purchase.subscription_id:
            doomed.append(SubscriptionLink(*SubscriptionLink.key(purchase.subscription_id)))
        if purchase.promo_code:
            doomed.append(Redemptions(*Redemptions.key(purchase.promo_code, user_id)))
        doomed.append(purchase)
    doomed += all_of_member(user_id)
    doomed += list(PricingItem.query(f"MEMBER#{user_id}"))  # the wallet and the monthly late counts
    for item in doomed:
        item.delete()


def _cancel_at_stripe(resource: str, stripe_id: str) -> None:
    """A cancellation Stripe refuses (cancelled already, or paid meanwhile) leaves nothing to undo."""
    try:
        getattr(payments.stripe_client().v1, resource).cancel(stripe_id)
    except payments.stripe_error() as error:
        logger.info(
            "stripe left as it was on erasure", extra={"what": resource, "error": type(error).__name__}
        )
