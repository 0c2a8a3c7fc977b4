"""A member's notification preferences (GET/PUT /me/notification-preferences).

In the notifications table: pk `MEMBER#<user_id>`, sk `PREFS`. A member who never set them gets
the defaults: e-mail and push on, SMS off, no quiet hours, reminders 24 h and 1 h ahead.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from fitconnect.notifications.models import StoredPreferences
from fitconnect.platform.contract import RequestBody
from fitconnect.platform.storage import get_item, plain_map

DEFAULT_LEADS = [1440, 60]
MAX_LEAD_MIN = 1440  # the longest reminder lead a member may choose (a day)
HH_MM = r"^([01]\d|2[0-3]):[0-5]\d$"


class QuietHours(RequestBody):
    start: Annotated[str, Field(pattern=HH_MM)]
    end: Annotated[str, Field(pattern=HH_MM)]


class NotificationPreferences(RequestBody):
    email: bool = True
    sms: bool = False
    push: bool = True
    quiet_hours: QuietHours | None = None
    weekly_summary: bool = True  # the Monday training summary (coaching)
    reminder_leads_min: Annotated[list[Annotated[int, Field(ge=5, le=MAX_LEAD_MIN)]], Field(max_length=5)] = (
        Field(default_factory=lambda: list(DEFAULT_LEADS))
    )

    @field_validator("reminder_leads_min")
    @classmethod
    def _distinct_descending(cls, leads: list[int]) -> list[int]:
        return sorted(set(leads), reverse=True)


def preferences_of(user_id: str) -> NotificationPreferences:
    stored = get_item(StoredPreferences, StoredPreferences.key(user_id))
    if stored is None:
        return NotificationPreferences()
    quiet = plain_map(stored.quiet_hours)
    return NotificationPreferences(
        email=stored.email,
        sms=stored.sms,
        push=stored.push,
        quiet_hours=QuietHours(**quiet) if quiet else None,
        weekly_summary=stored.weekly_summary is not False,  # preferences saved before it existed: on
        reminder_leads_min=[int(lead) for lead in stored.reminder_leads_min],
    )


def save(user_id: str, preferences: NotificationPreferences) -> NotificationPreferences:
    quiet = preferences.quiet_hours.model_dump() if preferences.quiet_hours else None
    StoredPreferences(
        *StoredPreferences.key(user_id),
        email=preferences.email,
        sms=preferences.sms,
        push=preferences.push,
        quiet_hours=quiet,
        weekly_summary=preferences.weekly_summary,
        reminder_leads_min=preferences.reminder_leads_min,
    ).save()
    return preferences


def quiet_until(preferences: NotificationPreferences, timezone: str, now: datetime) -> datetime | None:
    """When the member's quiet hours end, if `now` falls inside them (in their time zone); else None.
    Hours may wrap midnight (22:00 to 07:00)."""
    quiet = preferences.quiet_hours
    if quiet is None or quiet.start == quiet.end:
        return None
    local = now.astimezone(ZoneInfo(timezone))
    start, end = time.fromisoformat(quiet.start), time.fromisoformat(quiet.end)
    moment = local.time()
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if not inside:
        return None
    end_today = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    ends = end_today if end_today > local else end_today + timedelta(days=1)
    return ends.astimezone(now.tzinfo)
