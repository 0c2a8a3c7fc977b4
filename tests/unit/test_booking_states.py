"""The booking state machine, in process against moto (seconds, not an HTTP round trip): every
transition a booking makes and every one it refuses, with the seat counts that must follow."""

from datetime import datetime, timedelta

import pytest

from fitconnect.platform import clock
from fitconnect.platform.auth import Caller
from fitconnect.platform.errors import Conflict


def _seats(sessions, session_id):
    session = sessions.session_of(session_id)
    return int(session.seats_taken), int(session.waitlist_length)


def test_free_seat_then_waitlist_then_promotion_on_cancel(scheduling):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1)
    first = bookings.book(session_id, "m1")
    waiting = bookings.book(session_id, "m2")
    assert (first.status, waiting.status, bookings.position(waiting)) == ("confirmed", "waitlisted", 1)
    assert _seats(sessions, session_id) == (1, 1)
    with pytest.raises(Conflict) as twice:
        bookings.book(session_id, "m1")
    assert twice.value.code == "already_booked"

    bookings.cancel(first)
    promoted = bookings.booking_for(Caller("m2", "member"), waiting.booking_id)
    assert promoted.status == "confirmed"
    assert _seats(sessions, session_id) == (1, 0)
    with pytest.raises(Conflict) as again:
        bookings.cancel(bookings.booking_for(Caller("m1", "member"), first.booking_id))
    assert again.value.code == "not_cancellable"


def test_a_waiter_who_cancels_leaves_the_waitlist(scheduling):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1)
    bookings.book(session_id, "m1")
    waiting = bookings.book(session_id, "m2")
    bookings.cancel(waiting)
    assert _seats(sessions, session_id) == (1, 0)
    assert bookings.booking_for(Caller("m2", "member"), waiting.booking_id).status == "cancelled"


def test_positions_stay_exact_through_tickets_that_were_never_used_and_waiters_who_left(scheduling):
    """Waitlist tickets come from an atomic counter; a ticket drawn by a booking that then failed
    (here: a member already in line booking again) and the tickets of waiters served or gone are
    not counted ahead of anyone, and the line is served in ticket order."""
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1)
    seated = bookings.book(session_id, "m0")
    first = bookings.book(session_id, "m1")
    with pytest.raises(Conflict):
        bookings.book(session_id, "m1")  # draws a ticket, then finds m1 already in line
    second, third = bookings.book(session_id, "m2"), bookings.book(session_id, "m3")
    assert [bookings.position(b) for b in (first, second, third)] == [1, 2, 3]
    assert int(second.waitlist_seq) == 3  # ticket 2 was drawn and never used
    bookings.cancel(second)
    assert bookings.position(third) == 2
    bookings.cancel(seated)  # the seat goes to the lowest ticket still in line
    member = Caller("m1", "member")
    assert bookings.booking_for(member, first.booking_id).status == "confirmed"
    assert bookings.position(bookings.booking_for(Caller("m3", "member"), third.booking_id)) == 1
    assert _seats(sessions, session_id) == (1, 1)


def test_a_held_seat_is_confirmed_once_and_a_confirmed_one_is_left_as_it_is(scheduling):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1, price_cents=1500)
    held = bookings.book(session_id, "m1")
    assert (held.status, held.hold_expires_at is not None) == ("pending_payment", True)
    assert _seats(sessions, session_id) == (1, 0)  # the seat is taken while it is held
    assert bookings.confirm_held(held.booking_id).status == "confirmed"
    assert bookings.confirm_held(held.booking_id).status == "confirmed"  # a redelivered payment


def test_a_lapsed_hold_expires_frees_the_seat_and_cannot_be_confirmed(scheduling):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1, price_cents=1500)
    held = bookings.book(session_id, "m1")
    assert bookings.expire_holds(clock.now() + timedelta(minutes=16)) == 1
    assert bookings.expire_holds(clock.now() + timedelta(minutes=16)) == 0  # repeatable
    assert _seats(sessions, session_id) == (0, 0)
    with pytest.raises(Conflict) as late:
        bookings.confirm_held(held.booking_id)
    assert late.value.code == "not_confirmable"


def test_a_payment_after_the_lapse_gets_the_seat_back_only_if_it_is_free(scheduling):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1, price_cents=1500)
    held = bookings.book(session_id, "m1")
    bookings.expire_holds(clock.now() + timedelta(minutes=16))
    assert bookings.reinstate_paid(held.booking_id) is True
    assert bookings.reinstate_paid(held.booking_id) is True  # repeatable
    assert _seats(sessions, session_id) == (1, 0)

    other = publish(capacity=1, price_cents=1500)
    lapsed = bookings.book(other, "m2")
    bookings.expire_holds(clock.now() + timedelta(minutes=16))
    bookings.book(other, "m3")  # someone else took the freed seat
    assert bookings.reinstate_paid(lapsed.booking_id) is False  # payments refunds instead
    assert _seats(sessions, other) == (1, 0)


def test_a_cancelled_session_takes_no_booking(scheduling):
    bookings, _sessions, publish = scheduling
    session_id = publish(capacity=3)
    bookings.book(session_id, "m1")
    from fitconnect.scheduling import session_changes

    session_changes.cancel(Caller("t1", "trainer"), session_id)
    with pytest.raises(Conflict) as closed:
        bookings.book(session_id, "m2")
    assert closed.value.code == "session_closed"
    assert bookings.cancel_all(session_id) == 1
    assert bookings.cancel_all(session_id) == 0  # repeatable


def test_a_hold_lasts_fifteen_minutes_to_the_second(scheduling):
    bookings, _sessions, publish = scheduling
    session_id = publish(capacity=1, price_cents=1500)
    held = bookings.book(session_id, "m1")
    booked_at = datetime.fromisoformat(held.created_at)
    assert datetime.fromisoformat(held.hold_expires_at) - booked_at == timedelta(minutes=15)
    assert bookings.expire_holds(clock.now() + timedelta(minutes=14, seconds=59)) == 0
    assert bookings.expire_holds(clock.now() + timedelta(minutes=15, seconds=1)) == 1


def test_a_waiter_promoted_to_a_held_seat_loses_it_when_that_hold_lapses_too(scheduling):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1, price_cents=1500)
    first = bookings.book(session_id, "m1")
    second = bookings.book(session_id, "m2")
    third = bookings.book(session_id, "m3")
    bookings.cancel(first)  # m2 is promoted to a held seat of their own, with its own 15 minutes
    promoted = bookings.booking_for(Caller("m2", "member"), second.booking_id)
    assert (promoted.status, promoted.hold_expires_at is not None) == ("pending_payment", True)
    with clock.travel(timedelta(minutes=16)):
        assert bookings.expire_holds() == 1  # m2's hold, found by the same index as a booked one
    assert bookings.booking_for(Caller("m2", "member"), second.booking_id).status == "expired"
    assert bookings.booking_for(Caller("m3", "member"), third.booking_id).status == "pending_payment"
    assert _seats(sessions, session_id) == (1, 0)
