"""Notifications: one message per domain event or reminder, sent once, logged for the member.

In the notifications table:
- a notification: pk `NOTIF#<notification_id>`, sk `NOTIF`; gsi1 `MEMBER#<user_id>` /
  `<created_at>#<id>` (GET /me/notifications). Its id comes from what caused it (the event's id and
  the template, or `reminder-<booking_id>-<lead>`), so a redelivered event finds it instead of
  sending again: it is created with a conditional put and moves `pending` → `sending` (one
  sender's claim, see `deliver`) → `sent` / `skipped`, or `deferred` (quiet hours) → `sent` later;
- a deferred marker: pk `DEFERRED`, sk `<send_after>#<id>`, while it waits (the release schedule
  reads only these);
- a reminder is a notification with id `reminder-<booking_id>-<lead>`: its conditional put makes
  each booking's reminder per lead happen once, however often or late the schedule runs; what is
  due when is `fitconnect.notifications.reminders`' due-time index.

Channels: e-mail through SES (raw MIME, so a booking confirmation carries its .ics); SMS by SNS to
the phone number on the member's profile (the subject line only); push through SNS platform
endpoints to the member's registered devices (`notifications.push`).

A password reset code is the exception: it is urgent (never deferred), goes by e-mail only (the
address the reset is for, whatever the preferences say) and its code is a secret handed to the
renderer, never stored: the log shows that a code was sent, not the code. It reaches the sender
straight through the queue (`request`), not over the bus, where every rule and archive would see it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fitconnect.members.public import timezone_of
from fitconnect.notifications import channels, reminders, templates
from fitconnect.notifications.models import DeferredMarker, Notification
from fitconnect.notifications.preferences import (
    NotificationPreferences,
    preferences_of,
    quiet_until,
)
from fitconnect.platform import aws, clock, ids
from fitconnect.platform.observability import logger
from fitconnect.platform.settings import env
from fitconnect.platform.storage import conditional_save, conditional_update, get_item, plain_map
from fitconnect.platform.text import one_line, plain_text
from fitconnect.scheduling import public as scheduling

URGENT = {"password_reset"}  # never deferred by quiet hours
CLAIM_S = 120  # a sender's claim: far longer than a send takes, short enough for a retry to follow
EMAIL_ONLY = {"password_reset"}  # the account's own address, whatever the channel preferences
TEMPLATES = {
    "UserRegistered": "welcome",
    "BookingConfirmed": "booking_confirmed",
    "WaitlistPromoted": "waitlist_promoted",
    "BookingCancelled": "booking_cancelled",
    "PaymentSucceeded": "payment_receipt",
    "PaymentRefunded": "refund",
    "WeeklySummaryReady": "weekly_summary",
    "PurchaseCompleted": "purchase_receipt",
    "MembershipSuspended": "membership_suspended",
    "PenaltyApplied": "penalty",
}


# -- creating


def from_event(detail_type: str, detail: dict[str, Any]) -> str:
    """A domain event (as the bus delivered it) becomes its member's notification, then is sent."""
    template = TEMPLATES.get(detail_type)
    if template is None:
        return "ignored"
    data = detail["data"]
    if template == "booking_cancelled" and data.get("session_cancelled"):
        template = "session_cancelled"
    notification_id = f"{detail['metadata']['event_id']}-{template}"
    preferences = None
    if template == "weekly_summary":  # once per member and week, however often coaching says it
        notification_id = f"weekly-summary-{data['user_id']}-{data['week_start']}"
        preferences = preferences_of(str(data["user_id"]))
        if not preferences.weekly_summary:
            return "ignored"
    if detail_type == "BookingConfirmed":  # its reminders are scheduled first: a redelivery repeats both
        preferences = preferences_of(str(data["user_id"]))
        _schedule_reminders(data, preferences.reminder_leads_min)
    return notify(notification_id, str(data["user_id"]), template, data, preferences=preferences)


def _schedule_reminders(data: dict[str, Any], leads: list[int]) -> int:
    session = templates.session_or_none(data.get("session_id"))
    if session is None:
        return 0
    return reminders.schedule(
        str(data["booking_id"]),
        str(data["user_id"]),
        session.session_id,
        templates.starts_of(session),
        leads,
        clock.now(),
    )


def from_reminder(reminder: dict[str, Any]) -> str:
    """A due reminder the schedule handed on: sent once, if it still holds (the booking confirmed,
    the lead still one of the member's)."""
    booking = scheduling.booking_or_none(str(reminder["booking_id"]))
    if booking is None or booking.status != "confirmed":
        return _stale(reminder, "the booking is no longer confirmed")
    user_id, lead = str(reminder["user_id"]), int(reminder["lead_min"])
    preferences = preferences_of(user_id)
    if lead not in preferences.reminder_leads_min:
        return _stale(reminder, "the member no longer wants this lead")
    data = {"booking_id": booking.booking_id, "session_id": booking.session_id, "lead_min": lead}
    return notify(f"reminder-{booking.booking_id}-{lead}", user_id, "reminder", data, preferences=preferences)


def _stale(reminder: dict[str, Any], reason: str) -> str:
    logger.info(
        "reminder not sent",
        extra={"booking_id": reminder["booking_id"], "lead_min": reminder["lead_min"], "reason": reason},
    )
    return "stale"


def reschedule_member(user_id: str, leads: list[int]) -> int:
    """New reminder leads apply to the member's upcoming confirmed bookings too."""

    now = clock.now()
    return sum(
        reminders.schedule(booking_id, user_id, session.session_id, templates.starts_of(session), leads, now)
        for booking_id, session in scheduling.upcoming_confirmed(user_id, now)
    )


def request(notification_id: str, user_id: str, template: str, secret: dict[str, str]) -> None:
    """Queue a notification whose data is secret (a reset code) straight to the sender."""
    import json

    body = {"notification_id": notification_id, "user_id": user_id, "template": template, "secret": secret}
    aws.client("sqs").send_message(QueueUrl=env("NOTIFICATIONS_QUEUE_URL"), MessageBody=json.dumps(body))


def from_request(body: dict[str, Any]) -> str:
    """A queued `request`: created once, delivered at once (it is urgent), its secret rendered only."""
    return notify(body["notification_id"], str(body["user_id"]), body["template"], {}, secret=body["secret"])


def notify(
    notification_id: str,
    user_id: str,
    template: str,
    data: dict[str, Any],
    *,
    secret: dict[str, str] | None = None,
    preferences: NotificationPreferences | None = None,
) -> str:
    """Create the notification once and deliver it now or at the end of quiet hours. Repeatable.
    `secret` is rendered into the message and never stored (only urgent templates take one);
    `preferences`, when the caller has read them already, are not read again."""
    now = clock.now_iso()
    notification = Notification(
        *Notification.key(notification_id),
        gsi1pk=f"MEMBER#{user_id}",
        gsi1sk=f"{now}#{notification_id}",
        notification_id=notification_id,
        user_id=user_id,
        template=template,
        data={key: value for key, value in data.items() if value is not None},
        status="pending",
        created_at=now,
    )
    if not conditional_save(notification, Notification.pk.does_not_exist()):
        notification = get_item(Notification, Notification.key(notification_id), consistent=True)
        if notification is None or notification.status not in ("pending", "sending"):
            return "duplicate"  # delivered, deferred or skipped before: a redelivered event
    if notification.template in URGENT:
        return deliver(notification, secret=secret)
    preferences = preferences or preferences_of(user_id)
    ends = quiet_until(preferences, timezone_of(user_id), clock.now())
    if ends is not None:
        return _defer(notification, clock.to_iso(ends))
    return deliver(notification, preferences=preferences)


def _defer(notification: Notification, send_after: str) -> str:
    marker = DeferredMarker("DEFERRED", f"{send_after}#{notification.notification_id}")
    marker.notification_id = notification.notification_id
    marker.save()
    conditional_update(
        notification,
        [Notification.status.set("deferred"), Notification.send_after.set(send_after)],
        Notification.status == "pending",
    )
    return "deferred"


def release_deferred(now: datetime | None = None) -> int:
    """Deferred notifications whose quiet hours are over are sent (the 5-minute schedule)."""
    cutoff = clock.to_iso(now or clock.now())
    released = 0
    for marker in DeferredMarker.query("DEFERRED", DeferredMarker.sk < cutoff):
        notification = get_item(Notification, Notification.key(marker.notification_id), consistent=True)
        if notification is not None and notification.status == "deferred":
            conditional_update(
                notification, [Notification.status.set("pending")], Notification.status == "deferred"
            )
        # Pending or sending too: a run that died after the step above left it so (deliver claims).
        if notification is not None and notification.status in ("pending", "sending"):
            released += deliver(notification) != "duplicate"
        marker.delete()
    return released


# -- sending


def deliver(
    notification: Notification,
    *,
    secret: dict[str, str] | None = None,
    preferences: NotificationPreferences | None = None,
) -> str:
    """Send on every channel the member wants; record each channel's outcome.

    Claim, then send: only the sender whose conditional claim (`pending` → `sending`) succeeded
    sends, so two deliveries racing — overlapping schedule runs, a redelivered message — send once.
    A claim lapses after `CLAIM_S`: if its sender died before recording, a redelivery sends (a send
    whose record was lost can go twice; one that never went is never lost)."""
    claim = _claim(notification)
    if claim is None:
        return "duplicate"
    subject, text, attachment = templates.render(notification, secret or {})
    subject, text = one_line(subject), plain_text(text)  # user text (a title) reaches headers
    user_id = notification.user_id
    outcomes: dict[str, Any]
    if notification.template in EMAIL_ONLY:
        outcomes = {"email": channels.email(user_id, subject, text, attachment)}
    else:
        preferences = preferences or preferences_of(user_id)
        outcomes = {
            "email": channels.email(user_id, subject, text, attachment)
            if preferences.email
            else channels.off(),
            "sms": channels.sms(user_id, subject) if preferences.sms else channels.off(),
            "push": channels.push_to_devices(notification, subject, text)
            if preferences.push
            else channels.off(),
        }
    sent = any(outcome["status"] == "sent" for outcome in outcomes.values())
    status = "sent" if sent else "skipped"
    now = clock.now_iso()
    conditional_update(
        notification,
        [
            Notification.status.set(status),
            Notification.subject.set(subject),
            Notification.channels.set(outcomes),
            Notification.sent_at.set(now if sent else None),
            Notification.claim.remove(),
            Notification.claim_expires_at.remove(),
        ],
        Notification.claim == claim,
    )
    logger.info("notification", extra={"template": notification.template, "status": status})
    return status


def _claim(notification: Notification) -> str | None:
    """This sender's claim on the notification, or None when another sender holds or held it."""
    claim, now = ids.new_id(), clock.now()
    lapsed = (Notification.status == "sending") & (Notification.claim_expires_at < clock.to_iso(now))
    taken = conditional_update(
        notification,
        [
            Notification.status.set("sending"),
            Notification.claim.set(claim),
            Notification.claim_expires_at.set(clock.to_iso(now + timedelta(seconds=CLAIM_S))),
        ],
        (Notification.status == "pending") | lapsed,
    )
    return claim if taken else None


# -- the member's log


def view(notification: Notification) -> dict[str, Any]:
    channels = plain_map(notification.channels)
    return {
        "notification_id": notification.notification_id,
        "template": notification.template,
        "status": notification.status,
        "subject": notification.subject,
        "channels": channels,
        "send_after": notification.send_after,
        "sent_at": notification.sent_at,
        "created_at": notification.created_at,
    }
