"""Stripe webhook events, applied once each however often Stripe delivers them.

The webhook function only verifies the signature and queues the event; the queue's consumer applies
it here. Powertools idempotency keyed by the event id (in the idempotency table, kept 30 days:
Stripe retries for up to 3 days) makes a redelivered event a no-op; each settle step is also safe
to repeat on its own, for a crash half-way (the in-progress record expires with the function's
timeout and the message is redelivered). Out-of-order delivery is handled by the states: a
`succeeded` after the hold lapsed reinstates or refunds, a `payment_failed` after a success changes
nothing (the payment is no longer `requires_payment`). Purchases' and subscriptions' events
(memberships, class packs) are pricing's: see `fitconnect.pricing.purchases`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fitconnect.payments import payments
from fitconnect.platform import contention

KEEP_EVENT_IDS_S = 30 * 24 * 3600

HANDLERS = {
    "payment_intent.succeeded": payments.settle_succeeded,
    "payment_intent.payment_failed": payments.settle_failed,
    "payment_intent.canceled": payments.settle_canceled,
    "charge.refunded": payments.settle_charge_refunded,
}


@contention.idempotent_on_first_use(
    data_keyword_argument="event", event_key_jmespath="id", expires_after_seconds=KEEP_EVENT_IDS_S
)
def apply_once(*, event: dict[str, Any]) -> dict[str, str]:
    stripe_object, event_type = event["data"]["object"], str(event.get("type"))
    # A purchase's or a subscription's event goes where a router sends it; the rest are bookings'.
    routed = (route(event_type, stripe_object) for route in _routers)
    handle = next((found for found in routed if found), None) or HANDLERS.get(event_type)
    outcome = handle(stripe_object) if handle else "ignored"
    return {"event_id": str(event["id"]), "type": str(event.get("type")), "outcome": outcome}


_routers: list[Callable[[str, dict[str, Any]], Any]] = []


def add_router(route: Callable[[str, dict[str, Any]], Any]) -> None:
    """Another context's handlers for the events it owns (the consumer's handler composes them:
    payments does not depend on pricing, pricing depends on payments' gateway)."""
    _routers.append(route)


def register_lambda_context(context: Any) -> None:
    """Powertools needs the invocation's context to time out an in-progress record."""
    apply_once.register_lambda_context(context)
