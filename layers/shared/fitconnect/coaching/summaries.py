"""The weekly summary: from 08:00 on Monday in the member's time zone, each member who trained in
the week that just ended gets their week in review (sessions, time, distance, load and its status,
records, the first piece of advice) through notifications, as a `WeeklySummaryReady` event.

Who trained when is an `ActiveWeek` item per member and local week, written by the events consumer
as activities are logged; the hourly schedule reads the weeks that have just ended somewhere on
Earth, sends to the members whose Monday morning it is, and marks them. A run that fails between
the event and the mark repeats the event next hour: notifications keys the summary by member and
week, so it is still sent once (notifications.from_event).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from fitconnect.coaching import insights
from fitconnect.coaching.models import ACTIVE_WEEK_DAYS, ActiveWeek
from fitconnect.members import public as members
from fitconnect.platform import clock
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import conditional_update, ttl_in

SEND_FROM_HOUR = 8
EARLIEST_OFFSET_H, LATEST_OFFSET_H = -12, 14  # the time zones in use


class WeeklySummaryReady(DomainEvent):
    source = "fitconnect.coaching"
    detail_type = "WeeklySummaryReady"
    user_id: str
    week_start: str
    sessions: int
    duration_s: int
    distance_m: float
    load: float
    acwr: float | None
    status: str
    records: int
    advice: str | None


def mark_active(user_id: str, started_at: str) -> None:
    """The member trained in the local week of `started_at` (an upsert: a sent mark stays)."""
    zone = ZoneInfo(members.timezone_of(user_id))
    monday = clock.monday_of(clock.parse(started_at).astimezone(zone).date())
    active = ActiveWeek(*ActiveWeek.key(monday.isoformat(), user_id))
    active.update(
        actions=[ActiveWeek.user_id.set(user_id), ActiveWeek.expires_at.set(ttl_in(ACTIVE_WEEK_DAYS * 86400))]
    )


def send_due(now: datetime | None = None) -> int:
    """Send the summaries due now; how many went out. Repeatable (the schedule runs hourly)."""
    now = now or clock.now()
    sent = 0
    for monday in _weeks_just_ended(now):
        unsent = ActiveWeek.query(
            f"ACTIVE#{monday.isoformat()}", filter_condition=ActiveWeek.summarised.does_not_exist()
        )
        for active in unsent:
            sent += _send_if_due(active, monday, now)
    return sent


def _weeks_just_ended(now: datetime) -> list[date]:
    """The Mondays of the weeks that ended where it is Monday now, somewhere."""
    local_days = {
        (now + timedelta(hours=offset)).date() for offset in range(EARLIEST_OFFSET_H, LATEST_OFFSET_H + 1)
    }
    return sorted(day - timedelta(days=7) for day in local_days if day.weekday() == 0)


def _send_if_due(active: ActiveWeek, monday: date, now: datetime) -> int:
    local = now.astimezone(ZoneInfo(members.timezone_of(active.user_id)))
    if local.weekday() != 0 or local.hour < SEND_FROM_HOUR or local.date() - timedelta(days=7) != monday:
        return 0
    review = insights.week_in_review(active.user_id, monday)
    if review["sessions"]:
        publish([WeeklySummaryReady(user_id=active.user_id, **review)])
    conditional_update(active, [ActiveWeek.summarised.set(True)], ActiveWeek.pk.exists())
    return 1 if review["sessions"] else 0
