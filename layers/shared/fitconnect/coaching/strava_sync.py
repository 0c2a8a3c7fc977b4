"""Strava's webhook events into members' activities.

Intake (`POST /webhooks/strava`, answered within Strava's 2 s): an event of our subscription is
queued once — Strava retries an event it thinks was lost, so each is claimed by a conditional
write first — with nothing but its ids. Strava does not sign its events, so the body is never
believed: the worker asks Strava, with the owner's token, what the activity is now.

The worker (SQS, with a DLQ) makes the member's log match Strava, whatever order events arrive in:
the activity Strava returns is imported once (keyed by Strava's id, `source: "strava"`) or, when
the workout changed (a corrected distance), replaced; one Strava no longer shows the owner is
removed. An athlete's `authorized: "false"` disconnects — after Strava confirms that the refresh
token no longer works. Strava's rate limits (100 requests per 15 minutes and 1,000 a day by
default) are read from every answer: once used up, every worker holds its events in the queue
(their visibility set to the next reset) instead of calling, so a burst is delayed, never lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from fitconnect.coaching import activities, integrations, strava, strava_api
from fitconnect.coaching.models import StravaActivity, StravaConnection, StravaEventSeen, StravaLimits
from fitconnect.platform import aws, clock
from fitconnect.platform.errors import ApiError, BadRequest, Forbidden, NotFound
from fitconnect.platform.observability import logger, metrics
from fitconnect.platform.secrets import secret_json
from fitconnect.platform.settings import env
from fitconnect.platform.storage import conditional_save, get_item, ttl_in

QUEUE_VAR = "STRAVA_EVENTS_QUEUE_URL"
SEEN_SECONDS = 2 * 24 * 3600  # Strava retries within minutes; two days is generous
MAX_HOLD_S = 12 * 3600  # SQS's longest visibility timeout
SUBSCRIPTION_RECHECK_S = 60  # an unknown subscription id re-reads the secret at most this often


class WebhookEvent(BaseModel):
    object_type: Literal["activity", "athlete"]
    object_id: int
    aspect_type: Literal["create", "update", "delete"]
    owner_id: int
    subscription_id: int
    event_time: int
    updates: dict[str, Any] = {}


class RateLimited(Exception):
    def __init__(self, wait_s: float):
        super().__init__(f"Strava's rate limit holds calls for {wait_s:.0f} s")
        self.wait_s = wait_s


# -- intake
def challenge(query: dict[str, str]) -> dict[str, str]:
    """The subscription's validation: the challenge echoed when the verify token is ours, else 403."""
    expected = str(_webhook_settings().get("verify_token") or "")
    given = query.get("hub.verify_token") or ""
    if query.get("hub.mode") != "subscribe" or not expected or not hmac.compare_digest(given, expected):
        raise Forbidden("The verify token does not match.", code="invalid_verify_token")
    return {"hub.challenge": query.get("hub.challenge") or ""}


def receive(body: str) -> None:
    """Queue an event of our subscription once. Raises BadRequest / Forbidden for anything else."""
    try:
        event = WebhookEvent.model_validate_json(body)
    except ValidationError:
        raise BadRequest("This is not a Strava event.", code="invalid_event") from None
    if not _ours(event.subscription_id):
        raise Forbidden("The subscription is not ours.", code="unknown_subscription")
    digest = hashlib.sha256(
        f"{event.object_type}:{event.object_id}:{event.aspect_type}:{event.event_time}:"
        f"{json.dumps(event.updates, sort_keys=True)}".encode()
    ).hexdigest()
    seen = StravaEventSeen(*StravaEventSeen.key(digest), expires_at=ttl_in(SEEN_SECONDS))
    # An athlete's events are rare and each is checked with Strava: not claimed, so a forged copy
    # sent first (events are unsigned) cannot make the real deauthorisation look like a repeat.
    claimed = event.object_type == "activity"
    if claimed and not conditional_save(seen, StravaEventSeen.pk.does_not_exist()):
        metrics.add_metric(name="StravaEventsRepeated", unit="Count", value=1)
        return
    message = {
        "object_type": event.object_type,
        "object_id": event.object_id,
        "owner_id": event.owner_id,
        "deauthorized": event.object_type == "athlete" and str(event.updates.get("authorized")) == "false",
    }
    try:
        aws.client("sqs").send_message(QueueUrl=env(QUEUE_VAR), MessageBody=json.dumps(message))
    except Exception:
        if claimed:
            seen.delete()  # Strava's retry must find it unclaimed
        raise


def _webhook_settings(max_age_s: int = 300) -> dict[str, Any]:
    return secret_json("STRAVA_WEBHOOK_SECRET", max_age_s=max_age_s)


def _ours(subscription_id: int) -> bool:
    """The id registration stored; a just-registered subscription is seen within a minute."""
    for max_age_s in (300, SUBSCRIPTION_RECHECK_S):
        if str(_webhook_settings(max_age_s).get("subscription_id") or "") == str(subscription_id):
            return True
    return False


# -- the worker
def apply_message(body: str, receipt_handle: str) -> None:
    """One queued event. When Strava's limits hold calls, the message waits in the queue until
    the next reset (its visibility) and RateLimited is raised so the batch reports it failed."""
    message = json.loads(body)
    try:
        if "detail-type" in message:  # UserDeleted from the bus: the member's erasure
            _erase(str(message["detail"]["data"]["user_id"]))
        elif message["object_type"] == "athlete":
            _athlete_changed(int(message["owner_id"]), bool(message.get("deauthorized")))
        else:
            _sync_activity(int(message["owner_id"]), int(message["object_id"]))
    except RateLimited as limited:
        hold_s = max(1, min(MAX_HOLD_S, round(limited.wait_s)))
        aws.client("sqs").change_message_visibility(
            QueueUrl=env(QUEUE_VAR), ReceiptHandle=receipt_handle, VisibilityTimeout=hold_s
        )
        raise


def _sync_activity(athlete_id: int, strava_id: int) -> None:
    connection = integrations.connection_of_athlete(athlete_id)
    if connection is None:
        return  # not (or no longer) connected: Strava still sends until the subscription learns
    answer = _fetch(connection, strava_id)
    user_id = str(connection.user_id)
    imported = get_item(StravaActivity, StravaActivity.key(user_id, strava_id), consistent=True)
    if answer.status == 200:
        made = _upsert(user_id, strava_id, strava.workout_of(answer.body), imported)
    elif answer.status == 404:
        made = _remove(user_id, imported)
    else:
        logger.warning("Strava refused an activity", extra={"status": answer.status})
        return
    actions = [StravaConnection.last_event_at.set(clock.now_iso())]
    if made:
        actions.append(StravaConnection.activities_imported.add(made))
    connection.update(actions=actions)


def _fetch(connection: StravaConnection, strava_id: int) -> strava_api.Answer:
    """The activity as Strava shows its owner; a refused token is refreshed once."""
    for force_refresh in (False, True):
        _wait_for_limits()
        try:
            token = integrations.access_token(connection, force_refresh=force_refresh)
        except integrations.Revoked:
            integrations.forget(connection)
            return strava_api.Answer(401, {}, None)
        answer = strava_api.activity(token, strava_id)
        _note_limits(answer)
        if answer.status != 401:
            return answer
    return answer


def _upsert(user_id: str, strava_id: int, workout: Any, imported: StravaActivity | None) -> int:
    """Import the workout (1 when it made an activity); an edit that changed it replaces ours."""
    fingerprint = hashlib.sha256(repr(sorted(vars(workout).items())).encode()).hexdigest()[:32]
    if imported is not None and imported.fingerprint == fingerprint:
        return 0
    if imported is not None:
        _delete_activity(user_id, str(imported.activity_id))
    try:
        made = activities.import_workout(
            user_id,
            activities.from_workout(workout),
            source="strava",
            origin=f"strava:{strava_id}",
            # An edited workout is a new activity: no late event of the old one can undo it.
            key=f"{strava_id}:{fingerprint}",
        )
    except (ValidationError, ApiError) as refused:
        logger.info("A Strava activity cannot be imported", extra={"reason": str(refused)})
        return 0
    if made is None:
        return 0
    StravaActivity(
        *StravaActivity.key(user_id, strava_id),
        user_id=user_id,
        strava_id=strava_id,
        activity_id=made.activity_id,
        fingerprint=fingerprint,
    ).save()
    activities.announce([made])
    return 1


def _remove(user_id: str, imported: StravaActivity | None) -> int:
    if imported is not None:
        _delete_activity(user_id, str(imported.activity_id))
        imported.delete()
    return 0


def _delete_activity(user_id: str, activity_id: str) -> None:
    with contextlib.suppress(NotFound):  # deleted by the member, or by an earlier delivery
        activities.delete(user_id, activity_id)


def _athlete_changed(athlete_id: int, deauthorized: bool) -> None:
    """Disconnect on `authorized: "false"` once Strava confirms: the refresh token no longer works
    (an unsigned event alone must not cut a member off)."""
    connection = integrations.connection_of_athlete(athlete_id)
    if connection is None or not deauthorized:
        return
    _wait_for_limits()
    try:
        integrations.access_token(connection, force_refresh=True)
    except integrations.Revoked:
        integrations.forget(connection)
        logger.info("A member's Strava athlete removed FitConnect: disconnected")


def _erase(user_id: str) -> None:
    """The member's erasure: revoke at Strava, forget the connection, and anything imported since
    their coaching data was erased (repeatable)."""
    from fitconnect.coaching import public  # cold start: only an erasure needs it

    connection = get_item(StravaConnection, StravaConnection.key(user_id), consistent=True)
    if connection is not None:
        integrations.revoke(connection)
    public.forget(user_id)


# -- Strava's rate limits, shared by every worker through the table
def _wait_for_limits() -> None:
    limits = get_item(StravaLimits, StravaLimits.key())
    if limits is not None and int(limits.blocked_until) > clock.epoch_seconds():
        raise RateLimited(int(limits.blocked_until) - clock.epoch_seconds())


def _note_limits(answer: strava_api.Answer) -> None:
    now = clock.now()
    wait_s = answer.limits.wait_s(now) if answer.limits else 0.0
    if answer.status == 429 and wait_s <= 0:
        wait_s = strava.seconds_to_next_window(now)  # no headers: the next quarter hour
    if wait_s > 0:
        StravaLimits(*StravaLimits.key(), blocked_until=clock.epoch_seconds() + int(wait_s) + 1).save()
        metrics.add_metric(name="StravaRateLimited", unit="Count", value=1)
    if answer.status == 429:
        raise RateLimited(wait_s)
