"""SQS (BookingCancelled, BookingNoShow, UserDeleted): late cancels and no-shows of covered bookings
are penalised by the policy (once per booking); an erased member's pricing data goes. Repeatable."""

from typing import Any

from fitconnect.platform.consumers import routed_domain_event_handler
from fitconnect.pricing import erasure, penalties


def _cancelled(event: dict[str, Any]) -> Any:
    return penalties.on_late_cancel(event) if event.get("late") else "in_time"


handler = routed_domain_event_handler(
    {
        "BookingCancelled": _cancelled,
        "BookingNoShow": penalties.on_no_show,
        "UserDeleted": lambda event: erasure.forget(event["user_id"]),
    }
)
