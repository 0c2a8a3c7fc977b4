"""What other contexts may use of coaching: the member's part of a data export, their erasure (a
connected Strava account is revoked by coaching's own worker, on UserDeleted), and
for the chatbot their week so far and their next workout.

Loaded on first use (platform.faces): the chatbot imports this face for two of its intents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fitconnect.coaching.models import ACTIVE_WEEK_DAYS, ActiveWeek, CoachingItem
from fitconnect.platform import clock
from fitconnect.platform.faces import lazy_face

_EXPORTS = {
    "week_so_far": "fitconnect.coaching.insights:week_in_review",
    "focus_label": "fitconnect.coaching.plans",
}
__getattr__ = lazy_face(__name__, _EXPORTS)


def next_workout(user_id: str) -> dict[str, Any] | None:
    """The member's next planned workout (None when the plan is done); NotFound without a plan."""
    from fitconnect.coaching import plans  # cold start: the plan's rules only where a plan is read

    return plans.current(user_id)["next_workout"]


def export_part(user_id: str) -> dict[str, Any]:
    from fitconnect.coaching import activities, integrations, plans, records  # cold start: as above

    return {
        "activities": [activities.view(activity) for activity in activities.of_member(user_id)],
        "personal_records": records.views(records.of_member(user_id)),
        "plan": plans.stored(user_id),
        "integrations": integrations.listing(user_id)["items"],  # which accounts, never their tokens
    }


def forget(user_id: str) -> None:
    """Every activity of the member, and everything in their partition: records, training entries,
    their plan (GDPR erasure). Repeatable; an entry the consumer writes later for an activity
    deleted here is refused by its condition (insights.track)."""
    from fitconnect.coaching import activities  # cold start: as above

    doomed: list[CoachingItem] = [*activities.of_member(user_id), *CoachingItem.query(f"MEMBER#{user_id}")]
    doomed += [ActiveWeek(*ActiveWeek.key(monday.isoformat(), user_id)) for monday in _active_weeks()]
    with CoachingItem.batch_write() as batch:
        for item in doomed:
            batch.delete(item)


def _active_weeks() -> set[date]:
    """Every Monday an unexpired ActiveWeek of the member can be keyed by (in any time zone)."""
    today = clock.now().date()
    return {clock.monday_of(today - timedelta(days=back)) for back in range(-1, ACTIVE_WEEK_DAYS + 9)}
