"""What other contexts may use of coaching: the member's part of a data export, and their erasure."""

from __future__ import annotations

from typing import Any

from fitconnect.coaching import activities, plans, records
from fitconnect.coaching.models import CoachingItem


def export_part(user_id: str) -> dict[str, Any]:
    return {
        "activities": [activities.view(activity) for activity in activities.of_member(user_id)],
        "personal_records": records.views(records.of_member(user_id)),
        "plan": plans.stored(user_id),
    }


def forget(user_id: str) -> None:
    """Every activity of the member, and everything in their partition: records, training entries,
    their plan (GDPR erasure). Repeatable; an entry the consumer writes later for an activity
    deleted here is refused by its condition (insights.track)."""
    doomed: list[CoachingItem] = [*activities.of_member(user_id), *CoachingItem.query(f"MEMBER#{user_id}")]
    with CoachingItem.batch_write() as batch:
        for item in doomed:
            batch.delete(item)
