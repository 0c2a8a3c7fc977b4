"""The dangerous interleavings, forced rather than hoped for: every thread is held right after its
first read until all have read, so all decide on the same state; then they write one after the
other, in the order the test names. Each race runs in both orders: the invariant must hold in each,
and a missing condition shows up in the order that needs it — every time, not in 6 runs of 11."""

from datetime import timedelta

import pytest

from fitconnect.payments import stripe_gateway
from fitconnect.platform import clock
from fitconnect.platform.auth import Caller
from tests.support.interleave import side_by_side

BOTH_ORDERS = pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["first-wins", "second-wins"])


@pytest.fixture
def isolated(contention):
    """moto with DynamoDB's isolation (the contention fixture's lock), no conflicts injected."""
    return contention


def _counts(sessions, session_id):
    session = sessions.session_of(session_id)
    return int(session.seats_taken), int(session.waitlist_length)


@BOTH_ORDERS
def test_two_members_who_both_saw_the_last_seat_free_get_one_seat_and_one_place_in_line(
    scheduling, isolated, order
):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1)
    calls = [lambda: bookings.book(session_id, "m1"), lambda: bookings.book(session_id, "m2")]
    made = side_by_side(bookings, "session_of", calls, order)
    assert sorted(booking.status for booking in made) == ["confirmed", "waitlisted"]
    assert _counts(sessions, session_id) == (1, 1)


@BOTH_ORDERS
def test_two_waiters_who_both_read_the_same_sequence_get_positions_one_and_two(scheduling, isolated, order):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1)
    bookings.book(session_id, "m0")
    calls = [lambda: bookings.book(session_id, "m1"), lambda: bookings.book(session_id, "m2")]
    made = side_by_side(bookings, "session_of", calls, order)
    assert sorted(bookings.position(booking) for booking in made) == [1, 2]
    assert len({int(booking.waitlist_seq) for booking in made}) == 2
    assert _counts(sessions, session_id) == (1, 2)


@BOTH_ORDERS
def test_a_waiter_leaving_while_a_cancellation_promotes_them_ends_with_nobody_holding_the_seat(
    scheduling, isolated, order
):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1)
    seated = bookings.book(session_id, "m1")
    waiter = bookings.book(session_id, "m2")
    calls = [lambda: bookings.cancel(seated), lambda: bookings.cancel(waiter)]
    # The cancellation's last read is the waiter's booking; the waiter's own, the session.
    side_by_side(bookings, ["get_item", "session_of"], calls, order)
    both = [bookings.booking_for(Caller(b.user_id, "member"), b.booking_id).status for b in (seated, waiter)]
    assert both == ["cancelled", "cancelled"]  # the waiter asked to leave: never left holding a seat
    assert _counts(sessions, session_id) == (0, 0)


@BOTH_ORDERS
def test_two_cancellations_promote_two_different_waiters(scheduling, isolated, order):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=2)
    seated = [bookings.book(session_id, f"m{index}") for index in (1, 2)]
    waiters = [bookings.book(session_id, f"w{index}") for index in (1, 2)]
    calls = [lambda booking=booking: bookings.cancel(booking) for booking in seated]
    side_by_side(bookings, "session_of", calls, order)
    statuses = [bookings.booking_for(Caller(b.user_id, "member"), b.booking_id).status for b in waiters]
    assert statuses == ["confirmed", "confirmed"]
    assert _counts(sessions, session_id) == (2, 0)


@BOTH_ORDERS
def test_a_payment_racing_its_hold_expiry_ends_with_the_seat_or_a_refund_never_both(
    scheduling, payments_domain, pay_by_card, isolated, order
):
    bookings, sessions, publish = scheduling
    payments, pay = payments_domain, pay_by_card
    session_id = publish(capacity=1, price_cents=1500)
    held = bookings.book(session_id, "m1")
    waiter = bookings.book(session_id, "m2")
    intent = pay(payments.start(held))
    later = clock.now() + timedelta(minutes=16)
    calls = [lambda: payments.settle_succeeded(intent), lambda: bookings.expire_holds(later)]
    side_by_side(bookings, "get_item", calls, order)

    mine = bookings.booking_for(Caller("m1", "member"), held.booking_id).status
    theirs = bookings.booking_for(Caller("m2", "member"), waiter.booking_id).status
    payment = payments.payment_of_booking(held.booking_id, consistent=True)
    refunded = int(payment.refunded_cents or 0)
    assert (mine, theirs, refunded) in {("confirmed", "waitlisted", 0), ("expired", "pending_payment", 1500)}
    assert payment.status in {"succeeded", "refunded"}
    assert _counts(sessions, session_id)[0] == 1


@BOTH_ORDERS
def test_an_admin_refund_racing_the_cancellation_refund_pays_back_the_amount_once(
    scheduling, payments_domain, pay_by_card, isolated, order
):
    bookings, _sessions, publish = scheduling
    payments, pay = payments_domain, pay_by_card
    session_id = publish(capacity=1, price_cents=1500)
    booking = bookings.book(session_id, "m1")
    payment = payments.start(booking)
    payments.settle_succeeded(pay(payment))

    cancelled = {"booking_id": booking.booking_id, "refund_cents": 1500}
    calls = [
        lambda: payments.admin_refund(payment.payment_id, None),
        lambda: payments.on_booking_cancelled(cancelled),
    ]
    side_by_side(payments, "_payment", calls, order)
    payments.on_booking_cancelled(cancelled)  # the consumer's redelivery, if its first try lost
    at_stripe = stripe_gateway.client().v1.refunds.list(params={"payment_intent": payment.payment_intent_id})
    record = payments.payment_of_booking(booking.booking_id, consistent=True)
    assert sum(refund.amount for refund in at_stripe.data) == 1500
    assert (record.status, int(record.refunded_cents)) == ("refunded", 1500)
