"""Live sessions on Zoom: meetings through Server-to-Server OAuth, and Zoom's webhooks.

Configuration is two secrets: `ZOOM_SECRET`, JSON `account_id`, `client_id`, `client_secret` (the
S2S OAuth app; `oauth_url` and `api_base` default to Zoom's and point elsewhere only in tests), and
`ZOOM_WEBHOOK_SECRET`, JSON `webhook_secret_token` (the app's event subscription), which is all the
public webhook function may read. Without the OAuth fields, live
sessions are created anyway and say their video is `not_configured`.

Meetings are created off the request path: `SessionsPublished` → queue → `CreateMeetingsFunction`,
so a 52-week series never waits on Zoom and a Zoom outage is retried (then the DLQ).
Webhooks: `x-zm-signature` is `v0=` + HMAC-SHA256(secret, `v0:{x-zm-request-timestamp}:{body}`),
the timestamp within 5 minutes; `endpoint.url_validation` is answered with the HMAC of its
`plainToken`; `meeting.started` / `meeting.ended` move the session to `live` / `ended`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.request
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from fitconnect.platform import clock
from fitconnect.platform.errors import BadRequest, Unauthorized
from fitconnect.platform.events import DomainEvent
from fitconnect.platform.observability import logger
from fitconnect.platform.secrets import secret_json
from fitconnect.platform.storage import conditional_update, get_item
from fitconnect.scheduling.sessions import Session, Video, session_of
from fitconnect.scheduling.trainers import SchedulingItem

OAUTH_URL = "https://zoom.us/oauth/token"
API_BASE = "https://api.zoom.us/v2"
CONFIG_CACHE_SECONDS = 300
SIGNATURE_MAX_AGE_S = 300


class MeetingLink(SchedulingItem):
    """Finds the session of a Zoom meeting (webhooks name the meeting, not the session)."""

    session_id = UnicodeAttribute()

    @staticmethod
    def key(meeting_id: str) -> tuple[str, str]:
        return f"ZOOM#{meeting_id}", "MEETING"


class SessionStarted(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "SessionStarted"
    session_id: str


class SessionEndedLive(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "SessionEnded"
    session_id: str


def config() -> dict[str, Any]:
    """The OAuth app's settings."""
    return secret_json("ZOOM_SECRET", max_age_s=CONFIG_CACHE_SECONDS)


def _webhook_token() -> str:
    return str(
        secret_json("ZOOM_WEBHOOK_SECRET", max_age_s=CONFIG_CACHE_SECONDS).get("webhook_secret_token") or ""
    )


def configured() -> bool:
    settings = config()
    return all(settings.get(name) for name in ("account_id", "client_id", "client_secret"))


def _post(url: str, body: dict[str, Any] | None, headers: dict[str, str]) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 - Zoom's or the test stub's
        return json.loads(response.read() or b"{}")


def _access_token(settings: dict[str, Any]) -> str:
    basic = base64.b64encode(f"{settings['client_id']}:{settings['client_secret']}".encode()).decode()
    query = f"grant_type=account_credentials&account_id={settings['account_id']}"
    url = f"{settings.get('oauth_url', OAUTH_URL)}?{query}"
    return str(_post(url, None, {"Authorization": f"Basic {basic}"})["access_token"])


def create_meetings(session_ids: list[str]) -> int:
    """A meeting for each live session that has none yet. Repeatable (SQS redelivery)."""
    if not configured():
        return 0
    settings = config()
    created = 0
    token: str | None = None
    for session_id in session_ids:
        session = session_of(session_id)
        if session.kind != "live" or (session.video and session.video.meeting_id):
            continue
        token = token or _access_token(settings)
        meeting = _post(
            f"{settings.get('api_base', API_BASE)}/users/me/meetings",
            {
                "topic": session.title,
                "type": 2,
                "start_time": session.starts_at.replace(".000Z", "Z"),
                "duration": int(session.duration_min),
                "timezone": "UTC",
                "settings": {"join_before_host": False, "waiting_room": True},
            },
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        meeting_id = str(meeting["id"])
        MeetingLink(*MeetingLink.key(meeting_id), session_id=session_id).save()
        video = Video(provider="zoom", status="ready", meeting_id=meeting_id, join_url=meeting["join_url"])
        session.update(actions=[Session.video.set(video)])
        created += 1
    return created


def verify_signature(headers: dict[str, str], body: str) -> None:
    secret = _webhook_token()
    timestamp = headers.get("x-zm-request-timestamp", "")
    signature = headers.get("x-zm-signature", "")
    if (
        not secret
        or not timestamp.isdigit()
        or abs(clock.epoch_seconds() - int(timestamp)) > SIGNATURE_MAX_AGE_S
    ):
        raise Unauthorized("The Zoom signature is missing or stale.", code="invalid_signature")
    expected = "v0=" + _hmac(secret, f"v0:{timestamp}:{body}")
    if not hmac.compare_digest(expected, signature):
        raise Unauthorized("The Zoom signature does not match.", code="invalid_signature")


def _hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def handle_event(event: Any) -> dict[str, Any]:
    """Apply one verified webhook body; a body that is not a Zoom event is a 400 `invalid_event`."""
    payload = event.get("payload") if isinstance(event, dict) else None
    if not isinstance(payload, dict) or not isinstance(event.get("event"), str):
        raise BadRequest("The signed body is not a Zoom event.", code="invalid_event")
    kind = event["event"]
    if kind == "endpoint.url_validation":
        plain = str(payload.get("plainToken", ""))
        return {"plainToken": plain, "encryptedToken": _hmac(_webhook_token(), plain)}
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
    from fitconnect.platform.events import publish

    event = SessionStarted(session_id=session_id) if started else SessionEndedLive(session_id=session_id)
    publish([event])
