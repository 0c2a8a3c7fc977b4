"""What other contexts may use of payments: starting the payment of a held seat, a booking's
payment and what a client needs to pay it, payments' part of a member's data export, and the one
way to Stripe (the gateway's client, errors and idempotency keys, the member's Stripe customer)
for pricing's purchases. Everything else in this package is payments' own.

Loaded on first use (platform.faces): pricing's catalogue imports this face for the Stripe calls of
an admin's writes, not for listing products."""

from fitconnect.platform.faces import lazy_face

_PAYMENTS, _GATEWAY = "fitconnect.payments.payments", "fitconnect.payments.stripe_gateway"
_EXPORTS = {
    "CheckoutView": _PAYMENTS,
    "checkout": _PAYMENTS,
    "customer_id_of": _PAYMENTS,
    "export_part": _PAYMENTS,
    "id_of": _GATEWAY,
    "idempotent": _GATEWAY,
    "is_local": _GATEWAY,
    "payment_of_booking": _PAYMENTS,
    "start_for_new_booking": _PAYMENTS,
    "stripe_client": f"{_GATEWAY}:client",
    "stripe_error": _GATEWAY,
    "unavailable": _GATEWAY,
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_face(__name__, _EXPORTS)
