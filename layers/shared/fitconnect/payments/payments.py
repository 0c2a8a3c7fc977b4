"""Payments: one Stripe PaymentIntent per paid booking, settled by webhooks, refunded exactly once.

In the payments table (`PAYMENTS_TABLE`):
- a payment: pk `PAYMENT#<payment_id>`, sk `PAYMENT`, where `payment_id` is `pay_<booking_id>` (one
  payment per booking, so every path finds it without an index); gsi1 `MEMBER#<user_id>` /
  `<created_at>#<payment_id>` (GET /me/payments); refunds are a map on it keyed by the refund's
  idempotency key, so recording one is a conditional write that cannot happen twice;
- an open payment marker: pk `OPEN`, sk `<created_at>#<payment_id>`, while the intent awaits
  payment (what the reconciliation checks against Stripe); deleted once settled;
- a Stripe customer per member: pk `CUSTOMER#<user_id>`, sk `CUSTOMER`.

Stripe calls carry idempotency keys derived from our ids (`intent-<booking_id>`,
`refund-<payment_id>-<key>`), so a retried request never charges or refunds twice; Stripe refuses a
refund beyond what was charged, the last guard against a race between two different refunds.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field
from pynamodb.exceptions import TransactWriteError

from fitconnect.payments import stripe_gateway
from fitconnect.payments.models import Customer, OpenPayment, Payment
from fitconnect.payments.stripe_gateway import idempotent
from fitconnect.platform import clock
from fitconnect.platform.contract import View
from fitconnect.platform.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.observability import logger, metrics
from fitconnect.platform.storage import (
    conditional_save,
    conditional_update,
    get_item,
    plain_map,
    transact_write,
)
from fitconnect.scheduling import public as scheduling

UNPAID = ("requires_payment", "failed")
CANCELLABLE_INTENT = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "requires_capture",
)
REFUND_ATTEMPTS = 8  # optimistic claims on one payment: each lost race means another refund moved
RECONCILE_AFTER = timedelta(minutes=5)  # give the webhook a head start


class PaymentEvent(DomainEvent):
    source = "fitconnect.payments"
    payment_id: str
    booking_id: str
    user_id: str
    amount_cents: int
    currency: str


class PaymentSucceeded(PaymentEvent):
    detail_type = "PaymentSucceeded"


class PaymentRefunded(PaymentEvent):
    """One refund of the payment: `refund_cents` is this refund's amount (`amount_cents` stays the
    payment's); a payment refunded in parts publishes one per part."""

    detail_type = "PaymentRefunded"
    reason: str
    refund_id: str
    refund_cents: int


def payment_id_for(booking_id: str) -> str:
    return f"pay_{booking_id}"


def payment_of_booking(booking_id: str, *, consistent: bool = False) -> Payment | None:
    return get_item(Payment, Payment.key(payment_id_for(booking_id)), consistent=consistent)


class PaymentView(View):
    """A payment as the API shows it (`view`)."""

    payment_id: str
    booking_id: str
    session_id: str
    amount_cents: int
    currency: str
    status: str = Field(
        description="requires_payment | succeeded | failed | canceled | partially_refunded | refunded"
    )
    refunded_cents: int
    refunds: list[dict[str, Any]]
    provider: str
    payment_intent_id: str | None
    created_at: str
    paid_at: str | None


def view(payment: Payment) -> dict[str, Any]:
    refunds = sorted(plain_map(payment.refunds).values(), key=lambda refund: str(refund.get("created_at")))
    return {
        "payment_id": payment.payment_id,
        "booking_id": payment.booking_id,
        "session_id": payment.session_id,
        "amount_cents": int(payment.amount_cents),
        "currency": payment.currency,
        "status": payment.status,
        "refunded_cents": int(payment.refunded_cents or 0),
        "refunds": [{**refund, "amount_cents": int(refund["amount_cents"])} for refund in refunds],
        "provider": payment.provider,
        "payment_intent_id": payment.payment_intent_id,
        "created_at": payment.created_at,
        "paid_at": payment.paid_at,
    }


def export_part(user_id: str) -> dict[str, Any]:
    """Payments' part of a member's data export."""
    return {"payments": [view(payment) for payment in Payment.gsi1.query(f"MEMBER#{user_id}")]}


class CheckoutView(View):
    """What a client needs to pay a held seat: Stripe.js confirms the intent with its client secret."""

    provider: str = Field(description="stripe")
    payment_id: str
    payment_intent_id: str | None
    client_secret: str | None


def checkout(payment: Payment) -> dict[str, Any]:
    """What a client needs to pay (API.md: the booking's `payment`)."""
    return {
        "provider": payment.provider,
        "payment_id": payment.payment_id,
        "payment_intent_id": payment.payment_intent_id,
        "client_secret": payment.client_secret,
    }


# -- starting a payment


def start(booking: Any) -> Payment:
    """The PaymentIntent for a held seat (the booking's amount and currency). Repeatable: the same
    booking always gets the same intent (Stripe idempotency key) and the same record."""
    existing = payment_of_booking(booking.booking_id, consistent=True)
    if existing is not None:
        return existing
    stripe = stripe_gateway.client()
    payment_id = payment_id_for(booking.booking_id)
    try:
        customer_id = _customer_of(stripe, booking.user_id)
        metadata = {
            "payment_id": payment_id,
            "booking_id": booking.booking_id,
            "session_id": booking.session_id,
            "user_id": booking.user_id,
        }
        params = {
            "amount": int(booking.price_cents),
            "currency": booking.currency.lower(),
            "customer": customer_id,
            "payment_method_types": ["card"],
            "metadata": metadata,
        }
        intent = stripe.v1.payment_intents.create(
            params=params, options=idempotent(f"intent-{booking.booking_id}")
        )
    except stripe_gateway.stripe_error() as error:
        raise stripe_gateway.unavailable(error, "payment intent") from None
    now = clock.now_iso()
    payment = Payment(
        *Payment.key(payment_id),
        gsi1pk=f"MEMBER#{booking.user_id}",
        gsi1sk=f"{now}#{payment_id}",
        payment_id=payment_id,
        booking_id=booking.booking_id,
        session_id=booking.session_id,
        user_id=booking.user_id,
        amount_cents=int(booking.price_cents),
        currency=booking.currency.lower(),
        status="requires_payment",
        payment_intent_id=intent.id,
        client_secret=intent.client_secret,
        customer_id=customer_id,
        created_at=now,
        updated_at=now,
    )
    try:
        with transact_write() as transaction:
            transaction.save(payment, condition=Payment.pk.does_not_exist())
            transaction.save(OpenPayment(*OpenPayment.key(now, payment_id), payment_id=payment_id))
    except TransactWriteError:
        found = payment_of_booking(booking.booking_id, consistent=True)
        if found is None:
            raise
        return found  # a concurrent start won: same intent, its record
    return payment


def start_for_new_booking(booking: Any) -> Payment:
    """`start` for a seat just held by POST /bookings: if Stripe cannot take the payment, the hold
    is released at once (the seat goes back) and the caller gets a 503 to retry."""

    try:
        return start(booking)
    except ServiceUnavailable:
        with suppress(Conflict):
            scheduling.cancel(booking, final_status="expired", only_if=("pending_payment",))
        raise


def customer_id_of(user_id: str) -> str:
    """The member's Stripe customer, made on first use (other contexts' Stripe calls name it)."""
    return _customer_of(stripe_gateway.client(), user_id)


def _customer_of(stripe: Any, user_id: str) -> str:
    found = get_item(Customer, Customer.key(user_id))
    if found is not None:
        return str(found.customer_id)
    created = stripe.v1.customers.create(
        params={"metadata": {"user_id": user_id}}, options=idempotent(f"customer-{user_id}")
    )
    customer = Customer(
        *Customer.key(user_id), user_id=user_id, customer_id=created.id, created_at=clock.now_iso()
    )
    if not conditional_save(customer, Customer.pk.does_not_exist()):
        return str(get_item(Customer, Customer.key(user_id), consistent=True).customer_id)
    return str(created.id)


# -- settling


def settle_succeeded(intent: dict[str, Any]) -> str:
    """Money arrived: confirm the held seat, or give the seat back if the hold lapsed and one is free,
    or refund in full. Safe to repeat; the receipt event is published on the first success only."""

    payment = _payment_of_intent(intent)
    if payment is None:
        return "unknown"
    try:
        scheduling.confirm_held(payment.booking_id)
        placed = True
    except (Conflict, NotFound):
        placed = scheduling.reinstate_paid(payment.booking_id)
    now = clock.now_iso()
    actions = [Payment.status.set("succeeded"), Payment.paid_at.set(now), Payment.updated_at.set(now)]
    if conditional_update(payment, actions, Payment.status.is_in(*UNPAID, "canceled")):
        publish([PaymentSucceeded(**_event_fields(payment))])
        metrics.add_metric(name="RevenueCents", unit="Count", value=int(payment.amount_cents))
    _close(payment)
    if not placed:
        refund(payment.payment_id, None, reason="seat_unavailable", key="unplaced")
        return "refunded"
    return "confirmed"


def settle_failed(intent: dict[str, Any]) -> str:
    """The payment was declined: the seat is released (and the waitlist served). The intent stays
    open (the member may retry until the released booking's intent is cancelled)."""
    return "released" if _release(intent, "failed", ("requires_payment",)) else "unknown"


def settle_canceled(intent: dict[str, Any]) -> str:
    """The intent was cancelled (by us, or in Stripe's dashboard): the seat is released."""
    payment = _release(intent, "canceled", UNPAID)
    if payment is None:
        return "unknown"
    _close(payment)
    return "canceled"


def _release(intent: dict[str, Any], status: str, from_states: tuple[str, ...]) -> Payment | None:
    """Unpaid after all: release the held seat, then record `status` if the payment is still unpaid."""
    payment = _payment_of_intent(intent)
    if payment is None:
        return None
    _release_booking(payment.booking_id)
    actions = [Payment.status.set(status), Payment.updated_at.set(clock.now_iso())]
    conditional_update(payment, actions, Payment.status.is_in(*from_states))
    return payment


def settle_charge_refunded(charge: dict[str, Any]) -> str:
    """Stripe's word on a refund (ours, or one made in the Stripe dashboard): the record follows
    `amount_refunded` upwards only."""
    intent_id = stripe_gateway.id_of(charge.get("payment_intent"))
    metadata = charge.get("metadata") or {}
    payment = None
    if metadata.get("payment_id"):  # Stripe copies the intent's metadata to its charges
        payment = get_item(Payment, Payment.key(str(metadata["payment_id"])), consistent=True)
    elif intent_id:  # a charge without it: the intent says whose it is
        intent = stripe_gateway.client().v1.payment_intents.retrieve(intent_id)
        payment = _payment_of_intent(_intent_dict(intent))
    if payment is None:
        return "unknown"
    refunded = int(charge.get("amount_refunded") or 0)
    status = "refunded" if refunded >= int(payment.amount_cents) else "partially_refunded"
    actions = [
        Payment.refunded_cents.set(refunded),
        Payment.status.set(status),
        Payment.updated_at.set(clock.now_iso()),
    ]
    conditional_update(payment, actions, Payment.refunded_cents < refunded)
    return "recorded"


def _release_booking(booking_id: str) -> None:

    booking = get_item(scheduling.Booking, scheduling.Booking.key(booking_id), consistent=True)
    if booking is not None and booking.status == "pending_payment":
        with suppress(Conflict):  # settled meanwhile (paid, or cancelled by the member)
            scheduling.cancel(booking, final_status="expired", only_if=("pending_payment",))


def _payment_of_intent(intent: dict[str, Any]) -> Payment | None:
    payment_id = (intent.get("metadata") or {}).get("payment_id")
    payment = get_item(Payment, Payment.key(str(payment_id)), consistent=True) if payment_id else None
    if payment is None or payment.payment_intent_id != intent.get("id"):
        logger.warning("payment intent not ours", extra={"payment_intent_id": intent.get("id")})
        return None
    return payment


def _close(payment: Payment) -> None:
    OpenPayment(*OpenPayment.key(payment.created_at, payment.payment_id)).delete()


def _event_fields(payment: Payment) -> dict[str, Any]:
    return {
        "payment_id": payment.payment_id,
        "booking_id": payment.booking_id,
        "user_id": payment.user_id,
        "amount_cents": int(payment.amount_cents),
        "currency": payment.currency,
    }


# -- refunds and cancellations


def refund(
    payment_id: str, amount_cents: int | None, *, reason: str, key: str, capped: bool = False
) -> dict[str, Any]:
    """Refund `amount_cents` (everything not yet refunded when None; no more than is left when
    `capped`), once per `key`: a repeat with the same key returns the first refund. 409 when nothing
    is left to refund or nothing was paid.

    Claim, then refund: the amount is first added to `refunded_cents` under the condition that the
    total is still what was read (two refunds that read the same total cannot both claim it, so
    together they never pass the amount paid), then Stripe refunds it under an idempotency key of
    the claim, then the claim records Stripe's refund. A claim Stripe refuses is given back; one
    whose sender died is completed by the next call with its key (the same Stripe refund)."""
    for _attempt in range(REFUND_ATTEMPTS):
        payment = _payment(payment_id)
        claimed = plain_map(payment.refunds).get(key)
        if claimed is not None and claimed.get("status") != "claimed":
            return dict(claimed)
        if claimed is None:
            amount = _refundable(payment, amount_cents, capped)
            if not _claim_refund(payment, key, amount, reason):
                continue  # another refund changed the total first: decide again on what is left
            claimed = {"amount_cents": amount, "reason": reason}
        return _complete_refund(payment, key, int(claimed["amount_cents"]), str(claimed["reason"]))
    raise Conflict("This payment is being refunded right now; try again.", code="busy")


def _payment(payment_id: str) -> Payment:
    payment = get_item(Payment, Payment.key(payment_id), consistent=True)
    if payment is None:
        raise NotFound("No such payment.", code="payment_not_found")
    return payment


def _refundable(payment: Payment, amount_cents: int | None, capped: bool) -> int:
    left = int(payment.amount_cents) - int(payment.refunded_cents or 0)
    if payment.status in ("requires_payment", "failed", "canceled"):
        raise Conflict("Nothing was paid: there is nothing to refund.", code="not_paid")
    if left <= 0:
        raise Conflict("This payment is already refunded in full.", code="already_refunded")
    amount = left if amount_cents is None else min(amount_cents, left) if capped else amount_cents
    if not 0 < amount <= left:
        raise Unprocessable(f"A refund can be 1 to {left} cents.", code="invalid_refund_amount")
    return amount


def _refund_total(payment: Payment, change: int) -> list[Any]:
    """The actions that move `refunded_cents` by `change` from what `payment` says, and its status."""
    total = int(payment.refunded_cents or 0) + change
    if total >= int(payment.amount_cents):
        status = "refunded"
    else:
        status = "partially_refunded" if total else "succeeded"
    return [
        Payment.refunded_cents.set(total),
        Payment.status.set(status),
        Payment.updated_at.set(clock.now_iso()),
    ]


def _total_unchanged(payment: Payment) -> Any:
    read = int(payment.refunded_cents or 0)
    unchanged = Payment.refunded_cents == read
    return unchanged | Payment.refunded_cents.does_not_exist() if read == 0 else unchanged


def _claim_refund(payment: Payment, key: str, amount: int, reason: str) -> bool:
    claim = {"amount_cents": amount, "reason": reason, "status": "claimed", "created_at": clock.now_iso()}
    actions = [Payment.refunds[key].set(claim), *_refund_total(payment, amount)]
    return conditional_update(
        payment, actions, _total_unchanged(payment) & Payment.refunds[key].does_not_exist()
    )


def _complete_refund(payment: Payment, key: str, amount: int, reason: str) -> dict[str, Any]:
    try:
        created = _refund_at_stripe(payment, amount, reason, key)
    except Conflict:
        _give_back(payment.payment_id, key)
        raise
    entry = {
        "refund_id": created.id,
        "amount_cents": amount,
        "status": created.status,
        "reason": reason,
        "created_at": clock.now_iso(),
    }
    recorded = conditional_update(
        payment, [Payment.refunds[key].set(entry)], Payment.refunds[key]["status"] == "claimed"
    )
    if not recorded:  # a concurrent call with the same key completed the same Stripe refund
        return dict(plain_map(_payment(payment.payment_id).refunds)[key])
    publish(
        [PaymentRefunded(**_event_fields(payment), reason=reason, refund_id=created.id, refund_cents=amount)]
    )
    scheduling.record_refund(payment.booking_id, int(payment.refunded_cents), "refunded")
    return entry


def _give_back(payment_id: str, key: str) -> None:
    """Undo a claim Stripe refused (its amount leaves `refunded_cents`), whatever else changed."""
    for _attempt in range(REFUND_ATTEMPTS):
        payment = _payment(payment_id)
        claimed = plain_map(payment.refunds).get(key)
        if claimed is None or claimed.get("status") != "claimed":
            return
        actions = [Payment.refunds[key].remove(), *_refund_total(payment, -int(claimed["amount_cents"]))]
        if conditional_update(payment, actions, _total_unchanged(payment)):
            return


def _refund_at_stripe(payment: Payment, amount: int, reason: str, key: str) -> Any:
    import stripe

    params = {
        "payment_intent": payment.payment_intent_id,
        "amount": amount,
        "metadata": {"payment_id": payment.payment_id, "booking_id": payment.booking_id, "reason": reason},
    }
    try:
        return stripe_gateway.client().v1.refunds.create(
            params=params, options=idempotent(f"refund-{payment.payment_id}-{key}")
        )
    except stripe.InvalidRequestError as error:  # e.g. more than is left: another refund won a race
        raise Conflict(
            f"Stripe refused the refund: {error.user_message or error}", code="refund_refused"
        ) from None


def on_booking_cancelled(data: dict[str, Any]) -> str:
    """A cancelled booking: refund what the policy owes, or cancel an intent that was never paid.
    What an admin refunded before counts towards it: the payment ends settled, never refunded
    twice, and the message never fails for a refund already made."""
    payment = payment_of_booking(str(data["booking_id"]), consistent=True)
    if payment is None:
        return "no_payment"
    if payment.status in UNPAID:
        return cancel_intent(payment)
    if payment.status == "canceled":
        return "nothing_paid"
    owed = int(data.get("refund_cents") or 0)
    if not owed:
        return "nothing_owed"
    try:  # capped: what an admin refunded meanwhile counts towards it (a redelivery replays the key)
        refund(payment.payment_id, owed, reason="booking_cancelled", key="cancellation", capped=True)
    except Conflict as error:
        if error.code != "already_refunded":
            raise
        return "already_refunded"
    return "refunded"


def on_waitlist_promoted(data: dict[str, Any]) -> str:
    """A waiter promoted to a held seat of a paid session gets their PaymentIntent (its client
    secret is in GET /bookings/{id} and GET /me/payments)."""

    if data.get("status") != "pending_payment":
        return "free"
    booking = get_item(scheduling.Booking, scheduling.Booking.key(str(data["booking_id"])), consistent=True)
    if booking is None or booking.status != "pending_payment":
        return "not_held"
    start(booking)
    return "started"


class AdminRefundView(View):
    """An admin's refund, and the payment as it stands after it."""

    amount_cents: int
    status: str = Field(description="succeeded | pending | failed (Stripe's word on the refund)")
    reason: str
    payment: PaymentView


def admin_refund(payment_id: str, amount_cents: int | None) -> dict[str, Any]:
    """An admin's refund (full by default). A retried request with the same Idempotency-Key is
    replayed by the API; two concurrent clicks read the same refund count, hence the same key, and
    record one refund."""
    payment = get_item(Payment, Payment.key(payment_id), consistent=True)
    if payment is None:
        raise NotFound("No such payment.", code="payment_not_found")
    entry = refund(payment_id, amount_cents, reason="admin", key=f"admin-{len(plain_map(payment.refunds))}")
    fresh = get_item(Payment, Payment.key(payment_id), consistent=True)
    return {**entry, "amount_cents": int(entry["amount_cents"]), "payment": view(fresh)}


def cancel_intent(payment: Payment, intent: Any = None) -> str:
    """Cancel an unpaid intent at Stripe (`intent`: as just retrieved, if the caller has it). If it
    was paid at the last moment, settle that instead."""
    stripe = stripe_gateway.client()
    intent = intent or stripe.v1.payment_intents.retrieve(payment.payment_intent_id)
    if intent.status == "succeeded":
        return settle_succeeded(_intent_dict(intent))
    if intent.status in CANCELLABLE_INTENT:
        stripe.v1.payment_intents.cancel(payment.payment_intent_id)
    return settle_canceled({"id": payment.payment_intent_id, "metadata": {"payment_id": payment.payment_id}})


def _still_held(booking_id: str) -> bool:

    booking = get_item(scheduling.Booking, scheduling.Booking.key(booking_id), consistent=True)
    return booking is not None and booking.status == "pending_payment"


def _intent_dict(intent: Any) -> dict[str, Any]:
    """The fields we read of a retrieved PaymentIntent (a StripeObject), as in a webhook's payload."""
    metadata = intent.metadata.to_dict() if intent.metadata else {}
    return {"id": intent.id, "status": intent.status, "metadata": metadata}


def reconcile(now: datetime | None = None) -> dict[str, int]:
    """Payments still open after RECONCILE_AFTER, checked against Stripe: a success whose webhook
    never came is settled, a canceled intent releases its seat, an intent whose booking has ended
    unpaid is cancelled."""
    cutoff = clock.to_iso((now or clock.now()) - RECONCILE_AFTER)
    outcomes: dict[str, int] = {}
    for marker in OpenPayment.query("OPEN", OpenPayment.sk < cutoff):
        payment = get_item(Payment, Payment.key(marker.payment_id), consistent=True)
        if payment is None or payment.status not in UNPAID:
            marker.delete()
            continue
        intent = stripe_gateway.client().v1.payment_intents.retrieve(payment.payment_intent_id)
        if intent.status == "succeeded":
            outcome = settle_succeeded(_intent_dict(intent))
        elif intent.status == "canceled":
            outcome = settle_canceled(_intent_dict(intent))
        elif _still_held(payment.booking_id):
            outcome = "waiting"
        else:
            outcome = cancel_intent(payment, intent)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
