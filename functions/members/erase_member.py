"""SQS (UserDeleted events): erase what identity, members and coaching hold about the user, and the
push endpoints of their devices. Repeatable."""

from fitconnect.coaching import public as coaching
from fitconnect.members import personal_data
from fitconnect.notifications import public as notifications
from fitconnect.platform.consumers import domain_event_handler


def _erase(data: dict) -> None:
    personal_data.erase(data["user_id"], notifications.forget_device)
    coaching.forget(data["user_id"])


handler = domain_event_handler(_erase)
