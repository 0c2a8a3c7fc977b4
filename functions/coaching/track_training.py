"""SQS (ActivityLogged, ActivityDeleted, BookingAttended): keep the member's training entries in
step with their activity log, and log an attended class as an activity. Repeatable, in any order."""

from fitconnect.coaching import activities, insights
from fitconnect.platform.consumers import routed_domain_event_handler

handler = routed_domain_event_handler(
    {
        "ActivityLogged": lambda event: insights.track(event["activity_id"]),
        "ActivityDeleted": lambda event: insights.untrack(
            event["user_id"], event["started_at"], event["activity_id"]
        ),
        "BookingAttended": lambda event: activities.log_attended_class(
            event["booking_id"], event["session_id"], event["user_id"]
        ),
    }
)
