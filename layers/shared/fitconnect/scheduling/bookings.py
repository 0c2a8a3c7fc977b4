"""Bookings: a seat taken atomically, a first-come-first-served waitlist, cancellation with promotion.

In the scheduling table:
- a booking: pk `BOOKING#<booking_id>`, sk `BOOKING`; gsi1 `MEMBER#<user_id>` / `<created_at>#<id>`
  (the member's bookings);
- a place in a session, one per member and session: pk `SESSION#<session_id>`, sk
  `MEMBER#<user_id>` (the roster; its conditional put makes double booking impossible);
- a waitlist ticket: pk `SESSION#<session_id>`, sk `WAIT#<seq, zero-padded>` (served in order),
  kept with `left_at` once its holder is served or leaves, or when the booking that drew it failed.

Invariants, each kept by one DynamoDB transaction per change:
- `seats_taken` (confirmed + pending_payment) never exceeds `capacity`: taking a seat is an update
  conditioned on `seats_taken < capacity`, in the same transaction as the booking;
- a waiter draws a ticket from the session's atomic counter (`waitlist_seq`, one UpdateItem that
  returns its new value, only while the class is full), then joins in the booking's transaction:
  the line is served in ticket order, which is the order the counter committed; no waiter retries
  because another joined. A position is the ticket less the tickets ahead no longer in line, so it
  is exact the moment it is answered (a ticket ahead still being written counts as ahead);
- a cancellation releases its seat or hands it to the first waiter in the same transaction.

Payments plug in through the states: a free session confirms at once; a paid one holds the seat as
`pending_payment` until `hold_expires_at` (15 minutes), and the payments work confirms or releases it.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field
from pynamodb.exceptions import TransactWriteError

from fitconnect.members import public as members
from fitconnect.platform import clock, ids
from fitconnect.platform.auth import Caller
from fitconnect.platform.contract import View
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.errors import Conflict, NotFound, Unprocessable
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.observability import metrics
from fitconnect.platform.storage import (
    cancelled_because,
    conditional_save,
    conditional_update,
    get_item,
    get_many,
    plain_map,
    transact_write,
)
from fitconnect.pricing import public as pricing
from fitconnect.scheduling.models import Booking, Place, Refund, Session, WaitlistEntry
from fitconnect.scheduling.sessions import session_of

HOLD_SECONDS = 15 * 60
ACTIVE = ("confirmed", "pending_payment", "waitlisted")
MAX_ATTEMPTS = 20  # a lost race (the last seat, the last credit, DynamoDB's conflict) reads again


class BookingEvent(DomainEvent):
    source = "fitconnect.scheduling"
    booking_id: str
    session_id: str
    user_id: str
    status: str


class BookingCreated(BookingEvent):
    detail_type = "BookingCreated"


class BookingConfirmed(BookingEvent):
    detail_type = "BookingConfirmed"


class BookingCancelled(BookingEvent):
    detail_type = "BookingCancelled"
    refund_cents: int
    session_cancelled: bool = False  # the class itself was cancelled (by its trainer or an admin)
    late: bool = False  # a seat given up inside the cancellation window (penalties, reports)
    covered_by: dict[str, str] | None = None  # the entitlement that paid for it (pricing's penalties)


class WaitlistPromoted(BookingEvent):
    detail_type = "WaitlistPromoted"


def _bookable(session: Session) -> None:
    if session.status != "scheduled" or session.starts_at <= clock.now_iso():
        raise Conflict("This session is not open for booking.", code="session_closed")


def book(session_id: str, user_id: str, pay_with: str = "auto") -> Booking:
    """One read (the session and the member's wallet together) and one transaction per attempt; a
    lost race re-reads (the waitlist's sequence, the last seat, the last credit). A priced session
    is paid by an entitlement that covers it (`pay_with`: "auto", "card" or an entitlement id),
    taken in the seat's transaction, or held for payment by card."""
    for attempt in range(MAX_ATTEMPTS):
        session, wallet = _session_and_wallet(session_id, user_id)
        _bookable(session)
        cover = pricing.choose(wallet, session, pay_with, user_id)  # a named one that can't: 422
        booking = _new_booking(session, user_id, pay_with)
        place = Place(*Place.key(session_id, user_id), booking_id=booking.booking_id, user_id=user_id)
        seat_free = int(session.seats_taken) < int(session.capacity)
        if seat_free:
            _seat(booking, session, cover)
        else:
            ticket = _draw_ticket(session)
            if ticket is None:
                continue  # a seat came free (or the class closed) since the read
            booking.status, booking.waitlist_seq = "waitlisted", ticket  # the credit is taken on promotion
        place.status = booking.status
        if booking.hold_expires_at:
            place.gsi1pk, place.gsi1sk = "HOLDS", f"{booking.hold_expires_at}#{booking.booking_id}"
        try:
            with transact_write() as transaction:  # items are serialised as they are added
                _claim_place(transaction, place)
                if seat_free:
                    _take_seat(transaction, session)
                    if cover is not None:
                        pricing.take(transaction, cover)
                else:
                    _join_waitlist(transaction, session, booking)
                transaction.save(booking)
        except TransactWriteError as error:
            reasons = cancelled_because(error)
            if not seat_free:
                _void_ticket(booking)
            if _place_taken(session_id, user_id, booking.booking_id):
                raise Conflict(
                    "You already have a booking for this session.", code="already_booked"
                ) from None
            if reasons & {"ConditionalCheckFailed", "TransactionConflict"}:
                _back_off(attempt)  # the session or the wallet changed under us: read again
                continue
            raise
        _publish_created(booking)
        return booking
    raise Conflict("The session is too busy right now; try again.", code="busy")


def _draw_ticket(session: Session) -> int | None:
    """The next waitlist number, from the session's counter, while the class is full; None when a
    seat came free or the class closed (the caller reads again)."""
    drawn = conditional_update(
        session,
        [Session.waitlist_seq.add(1)],
        (Session.seats_taken >= int(session.capacity)) & (Session.status == "scheduled"),
    )
    return int(session.waitlist_seq) if drawn else None  # the update reads the new item back


def _void_ticket(booking: Booking) -> None:
    """The ticket of a booking whose transaction failed is marked out of line, so the waiters behind
    it are not counted one place too far back. If it was written after all, it is left as it is."""
    entry = WaitlistEntry(
        *WaitlistEntry.key(booking.session_id, int(booking.waitlist_seq)), left_at=clock.now_iso()
    )
    conditional_save(entry, WaitlistEntry.pk.does_not_exist())


def _session_and_wallet(session_id: str, user_id: str) -> tuple[Session, Any]:
    session, wallet = get_many(
        (Session, Session.key(session_id)), (pricing.Wallet, pricing.wallet_key(user_id))
    )
    if session is None:
        raise NotFound("No such session.", code="session_not_found")
    return session, wallet


def _seat(booking: Booking, session: Session, cover: pricing.Cover | None) -> None:
    """The state of a booking that has a seat: confirmed when free or covered, else held for payment."""
    if cover is not None:
        booking.status, booking.covered_by = "confirmed", cover.as_booking_field()
    elif not session.price_cents:
        booking.status = "confirmed"
    else:
        booking.status = "pending_payment"
        booking.hold_expires_at = clock.to_iso(
            clock.parse(booking.created_at) + timedelta(seconds=HOLD_SECONDS)
        )


def _back_off(attempt: int) -> None:
    """A random pause that grows with the attempts (full jitter, 2 ms doubling to at most 160 ms), so
    racing requests do not collide again in lockstep and a hot class is not hammered."""
    time.sleep(random.uniform(0, min(0.16, 0.002 * 2**attempt)))


def _new_booking(session: Session, user_id: str, pay_with: str = "auto") -> Booking:
    booking_id = ids.new_id()
    now = clock.now_iso()
    return Booking(
        *Booking.key(booking_id),
        gsi1pk=f"MEMBER#{user_id}",
        gsi1sk=f"{now}#{booking_id}",
        booking_id=booking_id,
        session_id=session.session_id,
        trainer_id=session.trainer_id,
        user_id=user_id,
        status="",
        price_cents=int(session.price_cents),
        currency=session.currency,
        pay_with=pay_with,
        created_at=now,
        updated_at=now,
    )


def place_status(status: str, booking_id: str, hold_expires_at: str | None = None) -> list[Any]:
    """Update actions for a place's new status; a held seat stays in the expiry index."""
    if status == "pending_payment" and hold_expires_at:
        return [
            Place.status.set(status),
            Place.gsi1pk.set("HOLDS"),
            Place.gsi1sk.set(f"{hold_expires_at}#{booking_id}"),
        ]
    return [Place.status.set(status), Place.gsi1pk.remove(), Place.gsi1sk.remove()]


def _claim_place(transaction: Any, place: Place) -> None:
    transaction.save(place, condition=Place.pk.does_not_exist() | Place.status.is_in("cancelled", "expired"))


def _place_taken(session_id: str, user_id: str, attempted_booking_id: str) -> bool:
    place = get_item(Place, Place.key(session_id, user_id), consistent=True)
    return place is not None and place.status in ACTIVE and place.booking_id != attempted_booking_id


def _take_seat(transaction: Any, session: Session) -> None:
    transaction.update(
        session,
        actions=[Session.seats_taken.add(1)],
        condition=(Session.seats_taken < int(session.capacity)) & (Session.status == "scheduled"),
    )


def _join_waitlist(transaction: Any, session: Session, booking: Booking) -> None:
    """In line with the ticket drawn, while the class is still full (a seat freed meanwhile is taken
    instead: the caller reads again)."""
    transaction.update(
        session,
        actions=[Session.waitlist_length.add(1)],
        condition=(Session.seats_taken >= int(session.capacity)) & (Session.status == "scheduled"),
    )
    entry = WaitlistEntry(
        *WaitlistEntry.key(session.session_id, int(booking.waitlist_seq)), booking_id=booking.booking_id
    )
    entry.user_id = booking.user_id
    transaction.save(entry, condition=WaitlistEntry.pk.does_not_exist())


def _publish_created(booking: Booking) -> None:

    events: list[DomainEvent] = [BookingCreated(**_event_fields(booking))]
    metrics.add_metric(name="BookingsCreated", unit="Count", value=1)  # the dashboards' business figures
    if booking.status == "confirmed":
        events.append(BookingConfirmed(**_event_fields(booking)))
        metrics.add_metric(name="BookingsConfirmed", unit="Count", value=1)
    publish(events)


def _event_fields(booking: Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "session_id": booking.session_id,
        "user_id": booking.user_id,
        "status": booking.status,
    }


def cover_of(booking: Booking) -> dict[str, str] | None:
    """The entitlement that paid for the booking, as its events and views show it."""
    if not booking.covered_by:
        return None
    cover = plain_map(booking.covered_by)
    return {"entitlement_id": str(cover["entitlement_id"]), "kind": str(cover["kind"])}


def booking_or_none(booking_id: str) -> Booking | None:
    """The booking, read consistently, or None (other contexts' reads: no caller to check)."""
    return get_item(Booking, Booking.key(booking_id), consistent=True)


def booking_for(caller: Caller, booking_id: str) -> Booking:
    """The booking if the caller is its member, the session's trainer or an admin; 404 otherwise."""
    booking = get_item(Booking, Booking.key(booking_id))
    if booking is None or not (caller.is_admin or caller.user_id in (booking.user_id, booking.trainer_id)):
        raise NotFound("No such booking.", code="booking_not_found")
    return booking


def position(booking: Booking) -> int | None:
    """1-based place in the waitlist: the ticket less the tickets ahead no longer in line (one
    query of the tickets ahead)."""
    if booking.status != "waitlisted" or booking.waitlist_seq is None:
        return None
    ticket = int(booking.waitlist_seq)
    gone_ahead = WaitlistEntry.count(
        f"SESSION#{booking.session_id}",
        WaitlistEntry.sk.between("WAIT#000000", f"WAIT#{ticket - 1:06d}"),
        filter_condition=WaitlistEntry.left_at.exists(),
        consistent_read=True,
    )
    return max(1, ticket - gone_ahead)


class RefundView(View):
    amount_cents: int
    status: str


class BookingView(View):
    """A booking as the API shows it (`view`; a paid one being created also carries `payment`)."""

    booking_id: str
    session_id: str
    user_id: str
    status: str = Field(description="confirmed | pending_payment | waitlisted | cancelled | expired")
    price_cents: int
    currency: str
    hold_expires_at: str | None
    refund: RefundView | None
    created_at: str
    updated_at: str | None = None
    position: int | None = Field(default=None, description="Place in the waitlist, while waitlisted.")
    covered_by: dict[str, str] | None = Field(
        default=None, description="The entitlement that paid for it: {entitlement_id, kind}"
    )
    join_url: str | None = Field(default=None, description="A live session's link, once confirmed.")


class RosterPlace(View):
    booking_id: str
    user_id: str
    name: str | None = Field(description="The member's name (none once erased).")
    status: str


def view(booking: Booking, *, session: Session | None = None, with_position: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = {
        "booking_id": booking.booking_id,
        "session_id": booking.session_id,
        "user_id": booking.user_id,
        "status": booking.status,
        "price_cents": int(booking.price_cents),
        "currency": booking.currency,
        "hold_expires_at": booking.hold_expires_at,
        "refund": {"amount_cents": int(booking.refund.amount_cents), "status": booking.refund.status}
        if booking.refund
        else None,
        "created_at": booking.created_at,
        "updated_at": booking.updated_at,
    }
    if booking.covered_by:
        result["covered_by"] = cover_of(booking)
    if with_position and booking.status == "waitlisted":
        result["position"] = position(booking)
    if session is not None and booking.status == "confirmed" and session.video and session.video.join_url:
        result["join_url"] = session.video.join_url
    return result


def refund_owed(booking: Booking, session: Session, now: datetime) -> int:
    """Full refund of a booking paid by card, confirmed and cancelled before the window; nothing after."""
    if booking.status != "confirmed" or not booking.price_cents or booking.covered_by:
        return 0
    return 0 if is_late(session, now) else int(booking.price_cents)


def is_late(session: Session, now: datetime) -> bool:
    """Inside the cancellation window: a late cancel (no refund, a covered booking's credit is lost)."""
    starts = clock.parse(session.starts_at)
    return now >= starts - timedelta(minutes=int(session.cancellation_window_min))


def cancel(
    booking: Booking,
    *,
    session_cancelled: bool = False,
    full_refund: bool = False,
    final_status: str = "cancelled",
    only_if: tuple[str, ...] = ACTIVE,
) -> Booking:
    """Cancel; a held seat goes to the first waiter in the same transaction, or back to the session.

    When the session itself is cancelled, nobody is promoted and a paid booking is refunded in full;
    `full_refund` ignores the cancellation window (an erased account). `only_if` limits the states
    it applies to, also after a lost race: an expiry must not cancel a booking paid meanwhile.
    """
    _ensure_cancellable(booking, only_if)
    for _attempt in range(MAX_ATTEMPTS):
        session = session_of(booking.session_id)
        now = clock.now()
        paid = booking.status == "confirmed"
        if session_cancelled or full_refund:
            owed = int(booking.price_cents) if paid else 0
        else:
            owed = refund_owed(booking, session, now)
        had_seat = booking.status in ("confirmed", "pending_payment")
        late = paid and not (session_cancelled or full_refund) and is_late(session, now)
        waiter = _first_waiter(session.session_id) if had_seat and not session_cancelled else None
        promoted = get_item(Booking, Booking.key(waiter.booking_id)) if waiter else None
        promoted_cover = _promotion_cover(session, promoted) if promoted is not None else None
        try:
            with transact_write() as transaction:
                _mark_ended(transaction, booking, owed, final_status)
                if paid and booking.covered_by and not late:
                    wallet = pricing.wallet_of(booking.user_id, consistent=True)
                    pricing.give_back(transaction, booking.user_id, plain_map(booking.covered_by), wallet)
                if booking.status == "waitlisted":
                    _leave_waitlist(transaction, session, booking)
                elif promoted is not None and waiter is not None:
                    _promote(transaction, session, waiter, promoted, cover=promoted_cover)
                else:
                    transaction.update(session, actions=[Session.seats_taken.add(-1)])
        except TransactWriteError as error:
            if cancelled_because(error) & {"ConditionalCheckFailed", "TransactionConflict"}:
                booking = get_item(Booking, Booking.key(booking.booking_id), consistent=True)
                _ensure_cancellable(booking, only_if)
                continue
            raise
        _publish_cancelled(booking, owed, promoted, final_status, session_cancelled, late)
        return get_item(Booking, Booking.key(booking.booking_id), consistent=True)
    raise Conflict("The session is too busy right now; try again.", code="busy")


def _ensure_cancellable(booking: Booking, only_if: tuple[str, ...] = ACTIVE) -> None:
    if booking.status not in only_if:
        raise Conflict(f"This booking is already {booking.status}.", code="not_cancellable")


def _first_waiter(session_id: str) -> WaitlistEntry | None:
    """The lowest ticket still in line (the tickets already served are read past, page by page)."""
    entries = WaitlistEntry.query(
        f"SESSION#{session_id}",
        WaitlistEntry.sk.startswith("WAIT#"),
        filter_condition=WaitlistEntry.left_at.does_not_exist(),
        consistent_read=True,
    )
    return next(iter(entries), None)


def _out_of_line(transaction: Any, entry_key: tuple[str, str]) -> None:
    """A ticket served or given up: kept, marked (positions count it), once, and stripped of its
    holder (the member's erasure must leave no trace of them in the session's line)."""
    entry = WaitlistEntry(*entry_key)
    condition = WaitlistEntry.pk.exists() & WaitlistEntry.left_at.does_not_exist()
    actions = [
        WaitlistEntry.left_at.set(clock.now_iso()),
        WaitlistEntry.user_id.remove(),
        WaitlistEntry.booking_id.remove(),
    ]
    transaction.update(entry, actions=actions, condition=condition)


def _mark_ended(transaction: Any, booking: Booking, owed: int, final_status: str) -> None:
    now = clock.now_iso()
    actions = [Booking.status.set(final_status), Booking.updated_at.set(now)]
    if owed:
        actions.append(Booking.refund.set(Refund(amount_cents=owed, status="owed")))
    transaction.update(booking, actions=actions, condition=Booking.status == booking.status)
    place_pk, place_sk = Place.key(booking.session_id, booking.user_id)
    transaction.update(
        Place(place_pk, place_sk),
        actions=place_status(final_status, booking.booking_id),
        condition=Place.booking_id == booking.booking_id,
    )


def _leave_waitlist(transaction: Any, session: Session, booking: Booking) -> None:
    _out_of_line(transaction, WaitlistEntry.key(session.session_id, int(booking.waitlist_seq)))
    transaction.update(session, actions=[Session.waitlist_length.add(-1)])


def _promotion_cover(session: Session, promoted: Booking) -> pricing.Cover | None:
    """What pays for a waiter's seat: the entitlement they booked with if it still covers the
    session (its credit is taken in the promotion's transaction), else a card within the hold."""
    if not session.price_cents or promoted.status != "waitlisted":
        return None
    wallet = pricing.wallet_of(promoted.user_id, consistent=True)
    try:
        return pricing.choose(wallet, session, promoted.pay_with or "auto", promoted.user_id)
    except Unprocessable:
        return None  # the named entitlement is used up or ended meanwhile: the card it is


def _promote(
    transaction: Any,
    session: Session,
    waiter: WaitlistEntry,
    promoted: Booking,
    *,
    new_seat: bool = False,
    cover: pricing.Cover | None = None,
) -> None:
    """The seat passes to the first waiter: the waitlist shrinks; the seat count grows only for a
    `new_seat` (a capacity increase), under the same capacity condition as a booking. A covered
    waiter is confirmed and their credit taken here; an uncovered one of a paid class gets a hold."""
    status = "confirmed" if not session.price_cents or cover is not None else "pending_payment"
    now = clock.now()
    hold = clock.to_iso(now + timedelta(seconds=HOLD_SECONDS)) if status == "pending_payment" else None
    actions = [Booking.status.set(status), Booking.updated_at.set(clock.to_iso(now))]
    if hold:
        actions.append(Booking.hold_expires_at.set(hold))
    if cover is not None:
        actions.append(Booking.covered_by.set(cover.as_booking_field()))
        pricing.take(transaction, cover)
    _out_of_line(transaction, (waiter.pk, waiter.sk))
    transaction.update(promoted, actions=actions, condition=Booking.status == "waitlisted")
    place_pk, place_sk = Place.key(session.session_id, promoted.user_id)
    transaction.update(Place(place_pk, place_sk), actions=place_status(status, promoted.booking_id, hold))
    if new_seat:
        transaction.update(
            session,
            actions=[Session.waitlist_length.add(-1), Session.seats_taken.add(1)],
            condition=Session.seats_taken < int(session.capacity),
        )
    else:
        transaction.update(session, actions=[Session.waitlist_length.add(-1)])
    promoted.status = status


def _publish_cancelled(
    booking: Booking,
    owed: int,
    promoted: Booking | None,
    final_status: str,
    session_cancelled: bool,
    late: bool,
) -> None:
    events: list[DomainEvent] = [
        BookingCancelled(
            **{**_event_fields(booking), "status": final_status},
            refund_cents=owed,
            session_cancelled=session_cancelled,
            late=late,
            covered_by=cover_of(booking),
        )
    ]
    if promoted is not None:
        events.append(WaitlistPromoted(**_event_fields(promoted)))
        if promoted.status == "confirmed":
            events.append(BookingConfirmed(**_event_fields(promoted)))
    publish(events)


def roster(session_id: str, limit: int | None, cursor: str | None) -> dict[str, Any]:
    """One page (`limit`, `cursor`) of the members' places in the session, waitlisted and
    cancelled included, with each member's name (the trainer checks people in by it); a class of
    500 is several pages, not one unbounded answer."""
    request = page_request(limit, cursor, bound_to={"pk": {"S": f"SESSION#{session_id}"}})
    places = Place.query(
        f"SESSION#{session_id}",
        Place.sk.startswith("MEMBER#"),
        limit=request.limit,
        page_size=request.limit,
        last_evaluated_key=request.start_key,
    )
    found = list(places)
    names = members.names_of([p.user_id for p in found]) if found else {}
    items = [
        {"booking_id": p.booking_id, "user_id": p.user_id, "name": names.get(p.user_id), "status": p.status}
        for p in found
    ]
    return page(items, places.last_evaluated_key)


def fill_free_seats(session_id: str) -> int:
    """After a capacity increase: promote waiters, first come first served, while seats are free."""
    promoted_count = 0
    for _attempt in range(MAX_ATTEMPTS):
        session = session_of(session_id)
        waiter = _first_waiter(session_id)
        if session.status != "scheduled" or waiter is None or session.seats_taken >= session.capacity:
            break
        promoted = get_item(Booking, Booking.key(waiter.booking_id), consistent=True)
        cover = _promotion_cover(session, promoted)
        try:
            with transact_write() as transaction:
                _promote(transaction, session, waiter, promoted, new_seat=True, cover=cover)
        except TransactWriteError as error:
            if cancelled_because(error) & {"ConditionalCheckFailed", "TransactionConflict"}:
                _back_off()
                continue
            raise
        promoted_count += 1

        events: list[DomainEvent] = [WaitlistPromoted(**_event_fields(promoted))]
        if promoted.status == "confirmed":
            events.append(BookingConfirmed(**_event_fields(promoted)))
        publish(events)
    return promoted_count


def cancel_all(session_id: str) -> int:
    """Every active booking of a cancelled session, refunded in full. Repeatable (SQS redelivery)."""
    cancelled = 0
    for place in Place.query(f"SESSION#{session_id}", Place.sk.startswith("MEMBER#"), consistent_read=True):
        if place.status not in ACTIVE:
            continue
        booking = get_item(Booking, Booking.key(place.booking_id), consistent=True)
        if booking is not None and booking.status in ACTIVE:
            cancel(booking, session_cancelled=True)
            cancelled += 1
    return cancelled


def expire_holds(now: datetime | None = None) -> int:
    """Seats held for payment past `hold_expires_at`: the booking `expires`, the seat goes to the
    first waiter or back to the session. Repeatable (a booking paid meanwhile is left alone)."""
    cutoff = clock.to_iso(now or clock.now())
    expired = 0
    for place in Place.gsi1.query("HOLDS", Place.gsi1sk < cutoff):
        booking = get_item(Booking, Booking.key(place.booking_id), consistent=True)
        if booking is None or booking.status != "pending_payment":
            continue
        try:
            cancel(booking, final_status="expired", only_if=("pending_payment",))
        except Conflict:
            continue  # paid or cancelled in the meantime
        expired += 1
    return expired


def confirm_held(booking_id: str) -> Booking:
    """Payment arrived: a held seat becomes a confirmed booking (the payments work calls this)."""
    booking = get_item(Booking, Booking.key(booking_id), consistent=True)
    if booking is None:
        raise NotFound("No such booking.", code="booking_not_found")
    if booking.status == "confirmed":
        return booking  # a redelivered payment event
    place_pk, place_sk = Place.key(booking.session_id, booking.user_id)
    try:
        with transact_write() as transaction:
            transaction.update(
                booking,
                actions=[Booking.status.set("confirmed"), Booking.updated_at.set(clock.now_iso())],
                condition=Booking.status == "pending_payment",
            )
            transaction.update(Place(place_pk, place_sk), actions=place_status("confirmed", booking_id))
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        raise Conflict(f"A {booking.status} booking cannot be confirmed.", code="not_confirmable") from None
    booking.status = "confirmed"

    publish([BookingConfirmed(**_event_fields(booking))])
    return booking


def reinstate_paid(booking_id: str) -> bool:
    """A payment that succeeded after its hold lapsed: the booking gets a seat again if one is free,
    the session is still ahead and the member has not booked it anew. False when it cannot (the
    payments work then refunds). Repeatable: an already reinstated booking is True."""
    booking = get_item(Booking, Booking.key(booking_id), consistent=True)
    if booking is None:
        return False
    if booking.status == "confirmed":
        return True
    session = session_of(booking.session_id)
    if booking.status != "expired" or session.status != "scheduled" or session.starts_at <= clock.now_iso():
        return False
    place_pk, place_sk = Place.key(booking.session_id, booking.user_id)
    try:
        with transact_write() as transaction:
            _take_seat(transaction, session)
            transaction.update(
                booking,
                actions=[Booking.status.set("confirmed"), Booking.updated_at.set(clock.now_iso())],
                condition=Booking.status == "expired",
            )
            transaction.update(
                Place(place_pk, place_sk),
                actions=place_status("confirmed", booking_id),
                condition=(Place.booking_id == booking_id) & (Place.status == "expired"),
            )
    except TransactWriteError as error:
        if cancelled_because(error) & {"ConditionalCheckFailed", "TransactionConflict"}:
            # Lost a race: to a concurrent reinstatement of the same payment (then it has its
            # seat), or to a waiter or a new booking (then it has none).
            current = get_item(Booking, Booking.key(booking_id), consistent=True)
            return current is not None and current.status == "confirmed"
        raise
    booking.status = "confirmed"

    publish([BookingConfirmed(**_event_fields(booking))])
    return True


def record_refund(booking_id: str, amount_cents: int, status: str) -> None:
    """The payments work reports a booking's refund (`refunded` once Stripe accepted it)."""

    booking = Booking(*Booking.key(booking_id))
    refund = Refund(amount_cents=amount_cents, status=status)
    conditional_update(booking, [Booking.refund.set(refund)], Booking.pk.exists())


def future_bookings(user_id: str) -> list[Booking]:
    """The member's active bookings of sessions still ahead (for an erased account)."""
    now = clock.now_iso()
    found = []
    for booking in Booking.gsi1.query(f"MEMBER#{user_id}"):
        if booking.status in ACTIVE and session_of(booking.session_id).starts_at > now:
            found.append(booking)
    return found


def cancel_all_of_member(user_id: str) -> int:
    """An erased account: every active booking of a session still ahead is cancelled, a paid one
    refunded in full whatever the window (the waitlist is served). Repeatable (SQS redelivery)."""
    cancelled = 0
    for booking in future_bookings(user_id):
        try:
            cancel(booking, full_refund=True)
        except Conflict:
            continue  # ended meanwhile
        cancelled += 1
    return cancelled


def of_member(user_id: str) -> list[Booking]:
    """Every booking of the member, newest first (their listing on gsi1)."""
    return list(Booking.gsi1.query(f"MEMBER#{user_id}", scan_index_forward=False))


def export_part(user_id: str) -> dict[str, Any]:
    """Scheduling's part of a member's data export."""
    return {"bookings": [view(booking, with_position=False) for booking in of_member(user_id)]}


def upcoming_confirmed(user_id: str, now: datetime) -> list[tuple[str, Session]]:
    """The member's confirmed bookings whose class is still ahead, with the class (for reminders)."""
    found = []
    for booking in Booking.gsi1.query(f"MEMBER#{user_id}", filter_condition=Booking.status == "confirmed"):
        session = session_of(booking.session_id)
        if session.starts_at > clock.to_iso(now):
            found.append((booking.booking_id, session))
    return found
