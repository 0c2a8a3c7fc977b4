"""What other contexts may use of payments: starting the payment of a held seat, a booking's
payment and what a client needs to pay it, payments' part of a member's data export, and the one
way to Stripe (the gateway's client, errors and idempotency keys, the member's Stripe customer)
for pricing's purchases. Everything else in this package is payments' own."""

from fitconnect.payments.payments import (
    checkout,
    customer_id_of,
    export_part,
    payment_of_booking,
    start_for_new_booking,
)
from fitconnect.payments.stripe_gateway import client as stripe_client
from fitconnect.payments.stripe_gateway import id_of, idempotent, is_local, stripe_error, unavailable

__all__ = [
    "checkout",
    "customer_id_of",
    "export_part",
    "id_of",
    "idempotent",
    "is_local",
    "payment_of_booking",
    "start_for_new_booking",
    "stripe_client",
    "stripe_error",
    "unavailable",
]
