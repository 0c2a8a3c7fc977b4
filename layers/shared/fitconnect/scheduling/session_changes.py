"""Changing and cancelling a published session (its trainer or an admin).

A cancellation marks the session at once and publishes `SessionCancelled`; a queue worker then
cancels every booking with a full refund (a session can hold hundreds: not in the request).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import ConfigDict

from fitconnect.platform import clock
from fitconnect.platform.auth import Caller
from fitconnect.platform.contract import RequestBody
from fitconnect.platform.errors import ApiError, Conflict, Forbidden
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import conditional_update
from fitconnect.scheduling import bookings, trainers
from fitconnect.scheduling.models import Session
from fitconnect.scheduling.sessions import (
    CancellationWindow,
    Capacity,
    Duration,
    Location,
    Title,
    scheduled_of_trainer,
    session_of,
)


class SessionPatch(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"capacity": 16, "location": "Studio 2"}]})
    title: Title | None = None
    duration_min: Duration | None = None
    capacity: Capacity | None = None
    location: Location | None = None
    cancellation_window_min: CancellationWindow | None = None


class SessionCancelled(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "SessionCancelled"
    session_id: str
    trainer_id: str
    cancelled_by: str


def _owned(caller: Caller, session_id: str) -> Session:
    session = session_of(session_id)
    if not caller.is_admin and session.trainer_id != caller.user_id:
        raise Forbidden("Only the session's trainer or an admin may change it.", code="forbidden")
    return session


def update(caller: Caller, session_id: str, patch: SessionPatch) -> Session:
    session = _owned(caller, session_id)
    changes = patch.model_dump(exclude_none=True)
    if not changes:
        return session
    actions = [getattr(Session, name).set(value) for name, value in changes.items()]
    if "duration_min" in changes:
        starts = clock.parse(session.starts_at)
        ends = clock.to_iso(starts + timedelta(minutes=changes["duration_min"]))
        actions.append(Session.ends_at.set(ends))
    condition = Session.status == "scheduled"
    if "capacity" in changes:
        condition = condition & (Session.seats_taken <= changes["capacity"])
    if not conditional_update(session, actions, condition):
        raise Conflict(
            "The session is not scheduled any more, or the new capacity is below the seats taken.",
            code="cannot_change_session",
        )
    if "capacity" in changes:
        bookings.fill_free_seats(session_id)  # more seats: the waitlist moves up
        session.refresh()
    return session


def cancel(caller: Caller, session_id: str) -> Session:
    session = _owned(caller, session_id)
    if not conditional_update(session, [Session.status.set("cancelled")], Session.status == "scheduled"):
        raise Conflict(f"The session is already {session_of(session_id).status}.", code="not_cancellable")

    publish(
        [SessionCancelled(session_id=session_id, trainer_id=session.trainer_id, cancelled_by=caller.user_id)]
    )
    return session


def retire_trainer(trainer_id: str) -> int:
    """An erased user who was a trainer: the public profile anonymised and unlisted, and every
    future session cancelled as if they had cancelled it (members refunded in full and told, by
    the SessionCancelled flow; no new booking is possible). Repeatable; returns sessions cancelled."""
    if not trainers.anonymise(trainer_id):
        return 0
    trainer = Caller(user_id=trainer_id, role="trainer")
    cancelled = 0
    for session in scheduled_of_trainer(trainer_id):
        try:
            cancel(trainer, session.session_id)
            cancelled += 1
        except ApiError:  # cancelled meanwhile (a repeated erasure, or by an admin): nothing to do
            continue
    return cancelled
