"""SQS (ActivityLogged, ActivityDeleted, BookingAttended): keep the member's training entries in
step with their activity log (and the weekly summary's list of who trained), and log an attended
class as an activity. Repeatable, in any order."""

from typing import Any

from fitconnect.coaching import activities, insights, summaries
from fitconnect.platform.consumers import routed_domain_event_handler


def _logged(event: dict[str, Any]) -> None:
    if insights.track(event["activity_id"]):
        summaries.mark_active(event["user_id"], event["started_at"])


handler = routed_domain_event_handler(
    {
        "ActivityLogged": _logged,
        "ActivityDeleted": lambda event: insights.untrack(
            event["user_id"], event["started_at"], event["activity_id"]
        ),
        "BookingAttended": lambda event: activities.log_attended_class(
            event["booking_id"], event["session_id"], event["user_id"]
        ),
    }
)
