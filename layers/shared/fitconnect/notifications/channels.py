"""How a notification reaches a member: e-mail through SES (with an optional .ics), SMS through
SNS to the profile's phone, push through SNS platform endpoints. Each returns its channel's
outcome for the notification's log; a member erased meanwhile is skipped, not an error."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from fitconnect.identity.public import account_of
from fitconnect.members.public import Profile, devices_of
from fitconnect.notifications import push
from fitconnect.notifications.models import Notification
from fitconnect.platform import aws
from fitconnect.platform.errors import NotFound
from fitconnect.platform.mail import send_raw
from fitconnect.platform.storage import get_item


def email(user_id: str, subject: str, text: str, attachment: bytes | None) -> dict[str, Any]:
    try:
        address = account_of(user_id).email
    except NotFound:
        return {"status": "skipped", "reason": "no account"}  # erased meanwhile
    message = EmailMessage()
    message["To"] = address
    message["Subject"] = subject
    message.set_content(text)
    if attachment is not None:
        message.add_attachment(attachment, maintype="text", subtype="calendar", filename="booking.ics")
    return {"status": "sent", "message_id": send_raw(message)}


def sms(user_id: str, subject: str) -> dict[str, Any]:
    """A short text by SNS to the member's phone number (their profile's, E.164)."""

    profile = get_item(Profile, Profile.key(user_id))
    if profile is None or not profile.phone:
        return {"status": "skipped", "reason": "no phone number"}
    result = aws.client("sns").publish(PhoneNumber=profile.phone, Message=f"FitConnect: {subject}"[:160])
    return {"status": "sent", "message_id": result["MessageId"]}


def push_to_devices(notification: Notification, subject: str, text: str) -> dict[str, Any]:
    return push.send(devices_of(notification.user_id), notification.notification_id, subject, text)


def off() -> dict[str, Any]:
    return {"status": "skipped", "reason": "switched off"}
