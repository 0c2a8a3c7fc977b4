"""The payment state machine, in process: payments' domain against moto and a localstripe of its
own (seconds, not a webhook round trip). Every transition a payment makes, every one it refuses,
and the booking each one leaves behind."""

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest import mock

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from fitconnect.platform import clock
from fitconnect.platform.auth import Caller
from fitconnect.platform.errors import Conflict, NotFound, Unprocessable
from tests.support.interleave import side_by_side
from tests.support.lambdas import load_handler


@pytest.fixture
def paid(scheduling, payments_domain, pay_by_card):
    """`hold()`: a held seat of a 15.00 session and the payment started for it; `pay(payment)` is
    the member's browser confirming a card."""
    bookings, _sessions, publish = scheduling

    def hold(user_id="m1", capacity=1):
        session_id = publish(capacity=capacity, price_cents=1500)
        booking = bookings.book(session_id, user_id)
        return booking, payments_domain.start(booking)

    return payments_domain, bookings, hold, pay_by_card


def _status(payments, bookings, booking):
    payment = payments.payment_of_booking(booking.booking_id, consistent=True)
    fresh = bookings.booking_for(Caller(booking.user_id, "member"), booking.booking_id)
    return payment.status, fresh.status


def test_starting_twice_gives_one_intent_and_one_record(paid):
    payments, _bookings, hold, _pay = paid
    booking, first = hold()
    again = payments.start(booking)
    assert (again.payment_id, again.payment_intent_id) == (first.payment_id, first.payment_intent_id)
    assert (first.status, first.amount_cents) == ("requires_payment", 1500)


def test_success_confirms_the_held_seat_once_and_a_redelivery_changes_nothing(paid):
    payments, bookings, hold, pay = paid
    booking, payment = hold()
    intent = pay(payment)
    assert payments.settle_succeeded(intent) == "confirmed"
    assert payments.settle_succeeded(intent) == "confirmed"
    assert _status(payments, bookings, booking) == ("succeeded", "confirmed")
    assert payments.settle_succeeded({**intent, "id": "pi_not_ours"}) == "unknown"


def test_a_decline_releases_the_seat_and_a_late_cancel_of_the_intent_closes_it(paid):
    payments, bookings, hold, _pay = paid
    booking, payment = hold()
    declined = {"id": payment.payment_intent_id, "metadata": {"payment_id": payment.payment_id}}
    assert payments.settle_failed(declined) == "released"
    assert _status(payments, bookings, booking) == ("failed", "expired")
    assert payments.settle_canceled(declined) == "canceled"
    assert _status(payments, bookings, booking) == ("canceled", "expired")


def test_an_unpaid_payment_cannot_be_refunded(paid):
    payments, _bookings, hold, _pay = paid
    _booking, payment = hold()
    with pytest.raises(Conflict) as unpaid:
        payments.refund(payment.payment_id, None, reason="admin", key="k")
    assert unpaid.value.code == "not_paid"
    with pytest.raises(NotFound):
        payments.refund("pay_missing", None, reason="admin", key="k")


def test_refunds_add_up_to_the_amount_and_never_beyond(paid):
    payments, bookings, hold, pay = paid
    booking, payment = hold()
    payments.settle_succeeded(pay(payment))
    part = payments.refund(payment.payment_id, 500, reason="admin", key="a")
    assert payments.refund(payment.payment_id, 500, reason="admin", key="a") == part  # a repeat replays
    assert _status(payments, bookings, booking)[0] == "partially_refunded"
    with pytest.raises(Unprocessable):
        payments.refund(payment.payment_id, 1001, reason="admin", key="b")
    payments.refund(payment.payment_id, None, reason="admin", key="b")  # the 10.00 left
    record = payments.payment_of_booking(booking.booking_id, consistent=True)
    assert (record.status, int(record.refunded_cents)) == ("refunded", 1500)
    shown = payments.view(record)
    assert (shown["refunded_cents"], [r["amount_cents"] for r in shown["refunds"]]) == (1500, [500, 1000])
    with pytest.raises(Conflict) as twice:
        payments.refund(payment.payment_id, None, reason="admin", key="c")
    assert twice.value.code == "already_refunded"


def test_stripe_s_word_on_a_refund_only_raises_the_refunded_amount(paid):
    payments, _bookings, hold, pay = paid
    booking, payment = hold()
    payments.settle_succeeded(pay(payment))
    charge = {"payment_intent": payment.payment_intent_id, "metadata": {"payment_id": payment.payment_id}}
    assert payments.settle_charge_refunded({**charge, "amount_refunded": 1500}) == "recorded"
    payments.settle_charge_refunded({**charge, "amount_refunded": 400})  # an older event, late
    record = payments.payment_of_booking(booking.booking_id, consistent=True)
    assert (record.status, int(record.refunded_cents)) == ("refunded", 1500)


def test_a_cancellation_refunds_what_is_owed_minus_what_an_admin_already_refunded(paid):
    payments, _bookings, hold, pay = paid
    booking, payment = hold()
    payments.settle_succeeded(pay(payment))
    payments.refund(payment.payment_id, 1000, reason="admin", key="admin-0")
    cancelled = {"booking_id": booking.booking_id, "refund_cents": 1500}
    assert payments.on_booking_cancelled(cancelled) == "refunded"
    assert payments.on_booking_cancelled(cancelled) == "refunded"  # a redelivery replays the same refund
    record = payments.payment_of_booking(booking.booking_id, consistent=True)
    assert (record.status, int(record.refunded_cents)) == ("refunded", 1500)


def test_cancelling_an_unpaid_booking_cancels_its_intent_and_nothing_is_refunded(paid):
    payments, bookings, hold, _pay = paid
    booking, _payment = hold()
    bookings.cancel(booking)
    cancelled = {"booking_id": booking.booking_id, "refund_cents": 0}
    assert payments.on_booking_cancelled(cancelled) == "canceled"
    assert payments.on_booking_cancelled(cancelled) == "nothing_paid"
    assert payments.on_booking_cancelled({"booking_id": "bk_none", "refund_cents": 0}) == "no_payment"


def test_money_after_the_hold_lapsed_and_the_seat_was_taken_is_refunded_in_full(paid):
    payments, bookings, hold, pay = paid
    booking, payment = hold()
    bookings.expire_holds(clock.now() + timedelta(minutes=16))
    bookings.book(booking.session_id, "m2")  # someone else takes the freed seat
    assert payments.settle_succeeded(pay(payment)) == "refunded"
    record = payments.payment_of_booking(booking.booking_id, consistent=True)
    assert (record.status, int(record.refunded_cents)) == ("refunded", 1500)
    assert _status(payments, bookings, booking)[1] == "expired"


def test_a_promoted_waiter_of_a_paid_session_gets_an_intent_and_a_free_one_does_not(paid):
    payments, bookings, hold, _pay = paid
    booking, _payment = hold()
    waiter = bookings.book(booking.session_id, "m2")
    bookings.cancel(booking)
    promoted = bookings.booking_for(Caller("m2", "member"), waiter.booking_id)
    assert promoted.status == "pending_payment"
    data = {"booking_id": waiter.booking_id, "status": "pending_payment"}
    assert payments.on_waitlist_promoted(data) == "started"
    assert payments.payment_of_booking(waiter.booking_id, consistent=True).status == "requires_payment"
    assert payments.on_waitlist_promoted({**data, "status": "confirmed"}) == "free"


def _delivery(*messages: tuple[str, dict]) -> dict:
    """An SQS batch, as the Stripe events queue hands it to its consumer: (message id, event) each."""
    arn = "arn:aws:sqs:us-east-1:123456789012:stripe-events"
    return {
        "Records": [
            {"messageId": mid, "receiptHandle": mid, "body": json.dumps(event), "eventSource": "aws:sqs"}
            | {"eventSourceARN": arn, "attributes": {}, "messageAttributes": {}}
            for mid, event in messages
        ]
    }


def test_the_consumer_applies_one_event_id_once_even_when_two_deliveries_overlap(
    paid, functions, lambda_context
):
    """Stripe delivers at least once and SQS too: a second delivery of an event id that is still
    being applied fails (its message comes back later) instead of being applied beside it, and one
    after it finished gets the first result without applying it again — the consumer's own
    guarantee (Powertools idempotency keyed by the event id), not only the settle step's."""
    payments, bookings, hold, pay = paid
    from fitconnect.payments import stripe_events

    booking, payment = hold()
    event = {
        "id": f"evt_{payment.payment_id}",
        "type": "payment_intent.succeeded",
        "data": {"object": pay(payment)},
    }
    handler = load_handler(functions["ApplyStripeEventsFunction"])
    inside, release, applied = threading.Event(), threading.Event(), []

    def slow_settle(intent):
        applied.append(intent["id"])
        if len(applied) == 1:  # the first delivery stays inside until the overlap has been tried
            inside.set()
            assert release.wait(timeout=20)
        return payments.settle_succeeded(intent)

    with mock.patch.dict(stripe_events.HANDLERS, {"payment_intent.succeeded": slow_settle}):
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(handler, _delivery(("m-1", event)), lambda_context)
            assert inside.wait(timeout=20)
            # A second Lambda instance with the same event (one process runs one invocation at a time,
            # so the overlap is the consumer's function called beside the first delivery).
            try:
                with pytest.raises(IdempotencyAlreadyInProgressError):
                    stripe_events.apply_once(event=event)
            finally:
                release.set()
            assert first.result(timeout=20) == {"batchItemFailures": []}
        later = handler(_delivery(("m-3", event)), lambda_context)
    assert later == {"batchItemFailures": []}
    assert applied == [payment.payment_intent_id]  # once
    assert _status(payments, bookings, booking) == ("succeeded", "confirmed")
    # The event id is remembered for 30 days: Stripe retries a delivery for up to 3.
    records = boto3.client("dynamodb").scan(TableName=os.environ["IDEMPOTENCY_TABLE"])["Items"]
    [remembered] = [
        r for r in records if "stripe_events.apply_once#" in r["id"]["S"]
    ]  # keyed by a hash of it
    kept_for = int(remembered["expiration"]["N"]) - time.time()
    assert 30 * 86400 - 60 < kept_for <= 30 * 86400


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["first-wins", "second-wins"])
def test_two_starts_of_one_held_seat_that_both_find_no_payment_make_one(paid, scheduling, contention, order):
    """A promotion event delivered twice, both starts running at once: both read "no payment yet" and
    both ask Stripe (one idempotency key: one intent); one record, and both callers get it."""
    payments, bookings, _hold, _pay = paid
    _bookings, _sessions, publish = scheduling
    booking = bookings.book(publish(capacity=1, price_cents=1500), "m1")
    started = side_by_side(payments, "payment_of_booking", [lambda: payments.start(booking)] * 2, order)
    assert len({(p.payment_id, p.payment_intent_id) for p in started}) == 1
    stored = payments.payment_of_booking(booking.booking_id, consistent=True)
    assert stored.payment_intent_id == started[0].payment_intent_id
