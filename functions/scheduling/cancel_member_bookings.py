"""SQS (UserDeleted events): cancel the erased user's future bookings (paid ones refunded in full),
drop their calendar feed token and, if they were a trainer, retire the profile and cancel their
future sessions."""

from fitconnect.platform.consumers import domain_event_handler
from fitconnect.scheduling import bookings, calendar, session_changes


def _erase_from_scheduling(data: dict) -> None:
    bookings.cancel_all_of_member(data["user_id"])
    calendar.forget(data["user_id"])
    session_changes.retire_trainer(data["user_id"])


handler = domain_event_handler(_erase_from_scheduling)
