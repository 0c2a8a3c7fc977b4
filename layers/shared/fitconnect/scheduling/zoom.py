"""Live sessions on Zoom: meetings through Server-to-Server OAuth, and Zoom's webhooks.

Zoom's own side (settings, OAuth, meeting creation, webhook signatures) is `zoom_api`. Without the
OAuth app's settings, live sessions are created anyway and say their video is `not_configured`.

Meetings are created off the request path: `SessionsPublished` → queue → `CreateMeetingsFunction`,
so a 52-week series never waits on Zoom and a Zoom outage is retried (then the DLQ).
Webhooks: `x-zm-signature` is `v0=` + HMAC-SHA256(secret, `v0:{x-zm-request-timestamp}:{body}`),
the timestamp within 5 minutes; `endpoint.url_validation` is answered with the HMAC of its
`plainToken`; `meeting.started` / `meeting.ended` move the session to `live` / `ended`.
"""

from __future__ import annotations

from typing import Any

from fitconnect.platform.errors import BadRequest
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.observability import logger
from fitconnect.platform.storage import conditional_update, get_item
from fitconnect.platform.text import one_line
from fitconnect.scheduling import zoom_api
from fitconnect.scheduling.models import MeetingLink, Session, Video
from fitconnect.scheduling.sessions import session_of


class SessionStarted(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "SessionStarted"
    session_id: str


class SessionEndedLive(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "SessionEnded"
    session_id: str


def create_meetings(session_ids: list[str]) -> int:
    """A meeting for each live session that has none yet. Repeatable (SQS redelivery)."""
    if not zoom_api.configured():
        return 0
    settings = zoom_api.config()
    created = 0
    token: str | None = None
    for session_id in session_ids:
        session = session_of(session_id)
        if session.kind != "live" or (session.video and session.video.meeting_id):
            continue
        token = token or zoom_api.access_token(settings)
        meeting = zoom_api.create_meeting(
            settings,
            token,
            topic=one_line(session.title),
            starts_at=session.starts_at,
            duration_min=int(session.duration_min),
        )
        meeting_id = str(meeting["id"])
        MeetingLink(*MeetingLink.key(meeting_id), session_id=session_id).save()
        video = Video(provider="zoom", status="ready", meeting_id=meeting_id, join_url=meeting["join_url"])
        session.update(actions=[Session.video.set(video)])
        created += 1
    return created


def handle_event(event: Any) -> dict[str, Any]:
    """Apply one verified webhook body; a body that is not a Zoom event is a 400 `invalid_event`."""
    payload = event.get("payload") if isinstance(event, dict) else None
    if not isinstance(payload, dict) or not isinstance(event.get("event"), str):
        raise BadRequest("The signed body is not a Zoom event.", code="invalid_event")
    kind = event["event"]
    if kind == "endpoint.url_validation":
        return zoom_api.url_validation(str(payload.get("plainToken", "")))
    if kind in ("meeting.started", "meeting.ended"):
        meeting = payload.get("object")
        meeting_id = str(meeting.get("id", "")) if isinstance(meeting, dict) else ""
        link = get_item(MeetingLink, MeetingLink.key(meeting_id))
        if link is None:
            logger.info("zoom event for a meeting we do not know", extra={"meeting_id": meeting_id})
            return {"status": "ignored"}
        _move(link.session_id, started=kind == "meeting.started")
        return {"status": "applied"}
    return {"status": "ignored"}


def _move(session_id: str, *, started: bool) -> None:
    status, allowed = ("live", ("scheduled",)) if started else ("ended", ("scheduled", "live"))
    session = session_of(session_id)
    if not conditional_update(session, [Session.status.set(status)], Session.status.is_in(*allowed)):
        return  # already there (a redelivered webhook) or cancelled

    event = SessionStarted(session_id=session_id) if started else SessionEndedLive(session_id=session_id)
    publish([event])
