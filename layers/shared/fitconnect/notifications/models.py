"""The notifications context's items, all in the notifications table (`NOTIFICATIONS_TABLE`);
the module that works with an item documents its keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from fitconnect.platform import clock
from fitconnect.platform.storage import ContextItem, gsi1_index, table_meta

TABLE_ENV = "NOTIFICATIONS_TABLE"


class NotificationsItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class StoredPreferences(NotificationsItem):
    email = BooleanAttribute()
    sms = BooleanAttribute()
    push = BooleanAttribute()
    quiet_hours = MapAttribute[str, Any](null=True)
    weekly_summary = BooleanAttribute(null=True)
    reminder_leads_min = ListAttribute[NumberAttribute](of=NumberAttribute)

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", "PREFS"


class Notification(NotificationsItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    template = UnicodeAttribute()
    data = MapAttribute[str, Any](default=dict)
    status = UnicodeAttribute()  # pending | deferred | sending | sent | skipped
    # While `sending`: the sender's claim and when it lapses (a sender that died is replaced).
    claim = UnicodeAttribute(null=True)
    claim_expires_at = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)
    channels = MapAttribute[str, Any](default=dict)  # channel → {status, reason?, message_id?}
    send_after = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(notification_id: str) -> tuple[str, str]:
        return f"NOTIF#{notification_id}", "NOTIF"


class DeferredMarker(NotificationsItem):
    notification_id = UnicodeAttribute()


def reminder_bucket(moment: datetime) -> str:
    """The 5-minute partition of the reminders due at `moment` (`REMINDERS#<YYYY-MM-DDTHH:MM>`)."""
    floored = moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)
    return clock.to_iso(floored)[:16]


class ReminderDue(NotificationsItem):
    booking_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    lead_min = NumberAttribute()
    due_at = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    expires_at = NumberAttribute()

    @staticmethod
    def key(due_at: datetime, booking_id: str, lead_min: int) -> tuple[str, str]:
        return f"REMINDERS#{reminder_bucket(due_at)}", f"{clock.to_iso(due_at)}#{booking_id}#{lead_min}"


class ReminderCursor(NotificationsItem):
    until = UnicodeAttribute()

    @staticmethod
    def key() -> tuple[str, str]:
        return "REMINDERS", "CURSOR"
