"""Sessions: a trainer publishes classes (in person or live), once or weekly; anyone lists them.

In the scheduling table:
- a session: pk `SESSION#<session_id>`, sk `SESSION`; gsi1 `SESSIONS#<YYYY-MM of starts_at>` /
  `<starts_at>#<session_id>` (sessions by start time, one partition per month).

Times are stored in UTC. A weekly series keeps the first session's wall-clock time in the
trainer's time zone (their profile's), so a 18:00 class stays at 18:00 across a DST change.
Listing walks the month partitions of the asked range in order; the cursor carries the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from fitconnect.members import public as members
from fitconnect.platform import clock, ids
from fitconnect.platform.contract import (
    Currency,
    Instant,
    ItemId,
    RequestBody,
    SingleLine,
    View,
)
from fitconnect.platform.cursors import decode_cursor, encode_cursor, page_request
from fitconnect.platform.errors import BadRequest, Forbidden, NotFound, Unprocessable
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import get_item
from fitconnect.scheduling import zoom_api
from fitconnect.scheduling.models import Session, Video
from fitconnect.scheduling.trainers import trainer_of

MAX_RANGE_DAYS = 93
MAX_AHEAD_DAYS = 400  # a timetable is published up to about a year ahead (a series may run on 52 weeks)
DEFAULT_RANGE_DAYS = 30


class Recurrence(RequestBody):
    freq: Literal["weekly"]
    count: Annotated[int, Field(ge=1, le=52)]


Location = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120), SingleLine]
Duration = Annotated[int, Field(ge=15, le=240)]
Capacity = Annotated[int, Field(ge=1, le=500)]
CancellationWindow = Annotated[int, Field(ge=0, le=10080)]


class NewSession(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Evening HIIT",
                    "starts_at": "2027-06-01T18:00:00Z",
                    "duration_min": 45,
                    "capacity": 12,
                    "price_cents": 1500,
                    "currency": "eur",
                    "kind": "in_person",
                    "location": "Studio 1",
                }
            ]
        }
    )
    title: Title
    starts_at: Instant
    duration_min: Duration
    capacity: Capacity
    price_cents: Annotated[int, Field(ge=0, le=1_000_000)]
    currency: Currency
    kind: Literal["in_person", "live"]
    location: Location | None = None
    cancellation_window_min: CancellationWindow = 1440
    recurrence: Recurrence | None = None
    trainer_id: ItemId | None = None  # admins publish on a trainer's behalf

    @model_validator(mode="after")
    def _in_person_needs_a_place(self) -> NewSession:
        if self.kind == "in_person" and not self.location:
            raise ValueError("an in_person session needs a location")
        return self


class SessionsPublished(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "SessionsPublished"
    trainer_id: str
    session_ids: list[str]


def _month(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def occurrences(first: datetime, count: int, timezone: str) -> list[datetime]:
    """`count` weekly starts at `first`'s wall-clock time in `timezone`, as UTC datetimes."""
    zone = ZoneInfo(timezone)
    local = first.astimezone(zone).replace(tzinfo=None)
    return [
        (local + timedelta(weeks=week)).replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))
        for week in range(count)
    ]


def publish_sessions(caller_id: str, caller_is_admin: bool, request: NewSession) -> list[Session]:
    trainer_id = request.trainer_id if caller_is_admin and request.trainer_id else caller_id
    if request.trainer_id and not caller_is_admin and request.trainer_id != caller_id:
        raise Forbidden("Trainers publish only their own sessions.", code="forbidden")
    trainer = trainer_of(trainer_id)
    if trainer.status != "approved":
        raise Unprocessable("Only approved trainers publish sessions.", code="trainer_not_approved")
    timezone = members.profile_of(trainer_id).timezone or "UTC"
    count = request.recurrence.count if request.recurrence else 1
    starts = occurrences(request.starts_at, count, timezone)
    if starts[0] <= clock.now():
        raise Unprocessable(
            "A session must start in the future.",
            code="starts_in_the_past",
            details=[{"field": "starts_at", "message": "must be in the future"}],
        )
    if starts[0] > clock.now() + timedelta(days=MAX_AHEAD_DAYS):
        raise Unprocessable(
            f"A session starts at most {MAX_AHEAD_DAYS} days ahead.",
            code="starts_too_far_ahead",
            details=[{"field": "starts_at", "message": f"within {MAX_AHEAD_DAYS} days"}],
        )
    series_id = ids.new_id() if count > 1 else None
    video = _video_status(request.kind)
    sessions = [_new_session(trainer_id, request, start, series_id, video) for start in starts]
    with Session.batch_write() as batch:
        for session in sessions:
            batch.save(session)

    publish([SessionsPublished(trainer_id=trainer_id, session_ids=[s.session_id for s in sessions])])
    return sessions


def _video_status(kind: str) -> str | None:
    """`pending` (a meeting is on its way) when Zoom is configured, else `not_configured`."""
    if kind != "live":
        return None
    return "pending" if zoom_api.configured() else "not_configured"


def _new_session(
    trainer_id: str, request: NewSession, start: datetime, series_id: str | None, video_status: str | None
) -> Session:
    session_id = ids.new_id()
    starts_at = clock.to_iso(start)
    video = Video(provider="zoom", status=video_status) if video_status else None
    return Session(
        *Session.key(session_id),
        gsi1pk=f"SESSIONS#{_month(start)}",
        gsi1sk=f"{starts_at}#{session_id}",
        session_id=session_id,
        series_id=series_id,
        trainer_id=trainer_id,
        title=request.title,
        starts_at=starts_at,
        ends_at=clock.to_iso(start + timedelta(minutes=request.duration_min)),
        duration_min=request.duration_min,
        capacity=request.capacity,
        price_cents=request.price_cents,
        currency=request.currency,
        kind=request.kind,
        location=request.location,
        cancellation_window_min=request.cancellation_window_min,
        video=video,
        created_at=clock.now_iso(),
    )


def session_of(session_id: str) -> Session:
    session = get_item(Session, Session.key(session_id))
    if session is None:
        raise NotFound("No such session.", code="session_not_found")
    return session


class VideoView(View):
    provider: str
    status: str = Field(description="not_configured | pending | ready")


class SessionView(View):
    """A session as the API shows it (`view`)."""

    session_id: str
    series_id: str | None
    trainer_id: str
    title: str
    starts_at: str = Field(json_schema_extra={"format": "date-time"})
    ends_at: str = Field(json_schema_extra={"format": "date-time"})
    duration_min: int
    capacity: int
    seats_left: int
    waitlist_length: int
    price_cents: int
    currency: str
    kind: Literal["in_person", "live"]
    location: str | None
    cancellation_window_min: int
    status: Literal["scheduled", "live", "ended", "cancelled"]
    video: VideoView | None


def view(session: Session) -> dict[str, Any]:
    seats_left = max(0, int(session.capacity) - int(session.seats_taken))
    video = session.video
    return {
        "session_id": session.session_id,
        "series_id": session.series_id,
        "trainer_id": session.trainer_id,
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "duration_min": int(session.duration_min),
        "capacity": int(session.capacity),
        "seats_left": seats_left,
        "waitlist_length": int(session.waitlist_length),
        "price_cents": int(session.price_cents),
        "currency": session.currency,
        "kind": session.kind,
        "location": session.location,
        "cancellation_window_min": int(session.cancellation_window_min),
        "status": session.status,
        # The join link is only ever shown in a confirmed booking, never here.
        "video": {"provider": video.provider, "status": video.status} if video else None,
    }


def _months(start: datetime, end: datetime) -> list[str]:
    months, cursor = [], start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while cursor <= end:
        months.append(_month(cursor))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class ListingFilter:
    """GET /sessions' filters: the start range (default: the next 30 days), trainer and kind."""

    start: datetime | None = None
    end: datetime | None = None
    trainer_id: str | None = None
    kind: str | None = None


def listing(window: ListingFilter, limit: int | None, cursor: str | None) -> dict[str, Any]:
    """Sessions starting in [start, end), by start time, filtered by trainer and kind;
    cancelled sessions are included with their status."""
    limit = page_request(limit, None, bound_to={}).limit
    start = window.start or clock.now()
    end = window.end or start + timedelta(days=DEFAULT_RANGE_DAYS)
    if not timedelta(0) < end - start <= timedelta(days=MAX_RANGE_DAYS):
        raise BadRequest(
            f"to must be after from, at most {MAX_RANGE_DAYS} days later.",
            code="validation_failed",
            details=[{"field": "to", "in": "query", "message": f"after from, within {MAX_RANGE_DAYS} days"}],
        )
    months = _months(start, end)
    start_key = decode_cursor(cursor, bound_to={})
    if (
        start_key is not None
        and start_key.get("gsi1pk", {}).get("S", "").removeprefix("SESSIONS#") not in months
    ):
        raise BadRequest("The cursor is not valid for this list.", code="invalid_cursor")
    condition = None
    if window.trainer_id:
        condition = Session.trainer_id == window.trainer_id
    if window.kind:
        kind_match = Session.kind == window.kind
        condition = kind_match if condition is None else condition & kind_match
    items: list[Session] = []
    page_end: dict[str, Any] | None = None
    first_month = start_key["gsi1pk"]["S"].removeprefix("SESSIONS#") if start_key else months[0]
    remaining = months[months.index(first_month) :]
    for position, month in enumerate(remaining):
        resume = start_key if month == first_month and start_key and len(start_key) > 1 else None
        results = Session.gsi1.query(
            f"SESSIONS#{month}",
            Session.gsi1sk.between(clock.to_iso(start), clock.to_iso(end)),
            filter_condition=condition,
            limit=limit - len(items),
            page_size=limit - len(items),
            last_evaluated_key=resume,
        )
        items.extend(results)
        if len(items) >= limit:
            if results.last_evaluated_key:
                page_end = results.last_evaluated_key
            elif position + 1 < len(remaining):  # the page ends with a month: resume at the next
                page_end = {"gsi1pk": {"S": f"SESSIONS#{remaining[position + 1]}"}}
            break
    return {"items": [view(item) for item in items], "next_cursor": encode_cursor(page_end)}


def scheduled_of_trainer(trainer_id: str) -> list[Session]:
    """The trainer's sessions still to run: every month a session can be published into, from
    this one on (`MAX_AHEAD_DAYS` plus a year of weekly repeats), through the start index."""
    now = clock.now()
    found: list[Session] = []
    for month in _months(now, now + timedelta(days=MAX_AHEAD_DAYS + 7 * 52)):
        found.extend(
            Session.gsi1.query(
                f"SESSIONS#{month}",
                Session.gsi1sk >= clock.to_iso(now),
                filter_condition=(Session.trainer_id == trainer_id) & (Session.status == "scheduled"),
            )
        )
    return found


def starting_between(start: datetime, end: datetime) -> list[Session]:
    """Scheduled sessions starting in [start, end), through the month-partitioned start index
    (one query per month touched, no scan): what the reminder schedule walks."""
    found: list[Session] = []
    for month in _months(start, end):
        found.extend(
            Session.gsi1.query(
                f"SESSIONS#{month}",
                Session.gsi1sk.between(clock.to_iso(start), clock.to_iso(end)),
                filter_condition=Session.status == "scheduled",
            )
        )
    return [session for session in found if session.starts_at < clock.to_iso(end)]
