"""After the class: check-in, no-shows, a member's feedback, and reviews of trainers.

- Check-in (the session's trainer or an admin) turns a confirmed booking `attended`, from an hour
  before the start until the session is closed.
- A schedule closes sessions that have ended (by the clock, or by Zoom's `meeting.ended`):
  still-confirmed bookings become `no_show`, seats still held for payment `expired`, the session
  `ended` with `closed_at`. Repeatable.
- Feedback: one per attended booking, stored on it.
- Reviews: one per attended booking, only by its member; the trainer's `rating_sum` and
  `rating_count` move in the same transaction as the review is written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from pynamodb.exceptions import TransactWriteError

from fitconnect.platform import clock
from fitconnect.platform.auth import Caller
from fitconnect.platform.contract import ItemId, PlainText, RequestBody
from fitconnect.platform.errors import Conflict, Forbidden, NotFound
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import cancelled_because, conditional_update, get_item, transact_write
from fitconnect.scheduling.bookings import booking_for, cover_of, place_status
from fitconnect.scheduling.models import Booking, Feedback, Place, Review, Session, Trainer
from fitconnect.scheduling.sessions import session_of
from fitconnect.scheduling.trainers import trainer_of

CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
STATUS_ATTEMPTS = 5  # each after botocore's own conflict retries


class Rating(RequestBody):
    rating: Annotated[int, Field(ge=1, le=5)]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), PlainText] = ""


class ReviewRequest(Rating):
    booking_id: ItemId | None = None  # which attended booking; the latest unreviewed one by default


class BookingAttended(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "BookingAttended"
    booking_id: str
    session_id: str
    user_id: str


class BookingNoShow(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "BookingNoShow"
    booking_id: str
    session_id: str
    user_id: str
    covered_by: dict[str, str] | None = None  # the entitlement that paid for it (pricing's penalties)


class SessionEnded(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "SessionEnded"
    session_id: str
    attended: int
    no_shows: int
    # What the analytics lake needs to compute fill rates without reading the table.
    capacity: int | None = None
    title: str | None = None
    trainer_id: str | None = None
    kind: str | None = None


def _set_status(booking: Booking, status: str, expected: str) -> bool:
    """Move a booking and its roster place from `expected` to `status`; False if it had moved on.

    Only a failed condition means it moved on: a transaction cancelled by conflicts alone (another
    writer on the session's items) changed nothing and is sent again, so a busy roster never leaves
    a no-show unmarked while the session is closed."""
    place_pk, place_sk = Place.key(booking.session_id, booking.user_id)
    for _attempt in range(STATUS_ATTEMPTS):
        try:
            with transact_write() as transaction:
                transaction.update(
                    booking,
                    actions=[Booking.status.set(status), Booking.updated_at.set(clock.now_iso())],
                    condition=Booking.status == expected,
                )
                transaction.update(
                    Place(place_pk, place_sk), actions=place_status(status, booking.booking_id)
                )
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            if "ConditionalCheckFailed" in cancelled_because(error):
                return False
            continue
        booking.status = status
        return True
    raise Conflict("The session is too busy right now; try again.", code="busy")


def check_in(caller: Caller, booking_id: str) -> Booking:
    booking = booking_for(caller, booking_id)
    if not caller.is_admin and caller.user_id != booking.trainer_id:
        raise NotFound("No such booking.", code="booking_not_found")
    session = session_of(booking.session_id)
    if clock.now() < clock.parse(session.starts_at) - CHECK_IN_OPENS_BEFORE:
        raise Conflict("Check-in opens an hour before the session.", code="check_in_not_open")
    if booking.status == "attended":
        return booking  # a repeated check-in changes nothing
    if booking.status != "confirmed" or not _set_status(booking, "attended", "confirmed"):
        raise Conflict(f"A {booking.status} booking cannot be checked in.", code="not_checkable")

    publish([BookingAttended(booking_id=booking_id, session_id=booking.session_id, user_id=booking.user_id)])
    return booking


def close_ended_sessions(now: datetime | None = None) -> int:
    """Sessions that have ended: confirmed → no_show, pending_payment → expired, session → ended."""
    now = now or clock.now()
    closed = 0
    for month in {now.strftime("%Y-%m"), (now.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")}:
        ended = Session.gsi1.query(
            f"SESSIONS#{month}",
            Session.gsi1sk < clock.to_iso(now),
            filter_condition=Session.status.is_in("scheduled", "live")
            & (Session.ends_at <= clock.to_iso(now)),
        )
        for session in ended:
            _close(session)
            closed += 1
    return closed


def _close(session: Session) -> None:
    attended = 0
    no_shows: list[BookingNoShow] = []
    for place in Place.query(
        f"SESSION#{session.session_id}", Place.sk.startswith("MEMBER#"), consistent_read=True
    ):
        booking = get_item(Booking, Booking.key(place.booking_id), consistent=True)
        if booking is None:
            continue
        if booking.status == "confirmed" and not _set_status(booking, "no_show", "confirmed"):
            booking = get_item(Booking, Booking.key(place.booking_id), consistent=True)  # checked in
        elif booking.status == "pending_payment" and not _set_status(booking, "expired", "pending_payment"):
            booking = get_item(Booking, Booking.key(place.booking_id), consistent=True)  # paid at last
        # Counted from the state reached, not from this run's moves: a run that follows one
        # interrupted half-way still reports every no-show.
        if booking.status == "no_show":
            no_shows.append(
                BookingNoShow(
                    booking_id=booking.booking_id,
                    session_id=session.session_id,
                    user_id=booking.user_id,
                    covered_by=cover_of(booking),
                )
            )
        attended += booking.status == "attended"
    if not conditional_update(
        session, [Session.status.set("ended")], Session.status.is_in("scheduled", "live")
    ):
        return  # closed by an earlier run

    ended = SessionEnded(
        session_id=session.session_id,
        attended=attended,
        no_shows=len(no_shows),
        capacity=int(session.capacity),
        title=session.title,
        trainer_id=session.trainer_id,
        kind=session.kind,
    )
    publish([ended, *no_shows])


def leave_feedback(caller: Caller, booking_id: str, rating: Rating) -> Booking:
    booking = booking_for(caller, booking_id)
    if booking.user_id != caller.user_id:
        raise NotFound("No such booking.", code="booking_not_found")
    if booking.status != "attended":
        raise Forbidden("Feedback is for sessions you attended.", code="not_attended")
    feedback = Feedback(rating=rating.rating, comment=rating.comment, created_at=clock.now_iso())
    if not conditional_update(booking, [Booking.feedback.set(feedback)], Booking.feedback.does_not_exist()):
        raise Conflict("You already left feedback for this booking.", code="feedback_exists")
    return booking


def review(caller: Caller, trainer_id: str, request: ReviewRequest) -> Review:
    trainer = trainer_of(trainer_id)
    booking = _reviewable_booking(caller.user_id, trainer_id, request.booking_id)
    item = Review(
        *Review.key(trainer_id, booking.booking_id),
        trainer_id=trainer_id,
        booking_id=booking.booking_id,
        user_id=caller.user_id,
        rating=request.rating,
        comment=request.comment,
        created_at=clock.now_iso(),
    )
    try:
        with transact_write() as transaction:
            transaction.save(item, condition=Review.pk.does_not_exist())
            transaction.update(
                trainer, actions=[Trainer.rating_sum.add(request.rating), Trainer.rating_count.add(1)]
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        raise Conflict("You already reviewed this session.", code="already_reviewed") from None
    return item


def _reviewable_booking(user_id: str, trainer_id: str, booking_id: str | None) -> Booking:
    if booking_id:
        booking = get_item(Booking, Booking.key(booking_id))
        candidates = [booking] if booking is not None and booking.user_id == user_id else []
    else:
        candidates = list(
            Booking.gsi1.query(
                f"MEMBER#{user_id}",
                scan_index_forward=False,
                filter_condition=(Booking.trainer_id == trainer_id) & (Booking.status == "attended"),
            )
        )
    for booking in candidates:
        eligible = booking.trainer_id == trainer_id and booking.status == "attended"
        # A named booking goes on to the transaction, whose condition refuses a second review.
        if eligible and (booking_id or get_item(Review, Review.key(trainer_id, booking.booking_id)) is None):
            return booking
    raise Forbidden("Reviews are from members who attended this trainer's session.", code="not_attended")


def review_view(item: Review) -> dict[str, Any]:
    return {
        "trainer_id": item.trainer_id,
        "booking_id": item.booking_id,
        "rating": int(item.rating),
        "comment": item.comment,
        "created_at": item.created_at,
    }


def reviews_of(trainer_id: str, limit: int, start_key: dict[str, Any] | None) -> tuple[list[Review], Any]:
    results = Review.query(
        f"TRAINER#{trainer_id}",
        Review.sk.startswith("REVIEW#"),
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start_key,
    )
    return list(results), results.last_evaluated_key
