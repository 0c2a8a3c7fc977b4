"""What other contexts may use of scheduling: reads of bookings, sessions and trainers (for
notifications, the assistant and a member's data export), a booking's calendar file, and the seat
holds payments moves (confirm a held seat, cancel, reinstate, record a refund). Everything else in
this package is scheduling's own (tests/unit/test_structure.py holds the line)."""

from fitconnect.scheduling.bookings import (
    booking_or_none,
    cancel,
    confirm_held,
    export_part,
    of_member,
    record_refund,
    reinstate_paid,
    upcoming_confirmed,
)
from fitconnect.scheduling.calendar import calendar_url, token_of
from fitconnect.scheduling.calendar import render as calendar_file
from fitconnect.scheduling.models import Booking, Session, Trainer
from fitconnect.scheduling.sessions import session_of, starting_between
from fitconnect.scheduling.trainers import rating_of, trainer_of

__all__ = [
    "Booking",
    "Session",
    "Trainer",
    "booking_or_none",
    "calendar_file",
    "calendar_url",
    "cancel",
    "confirm_held",
    "export_part",
    "of_member",
    "rating_of",
    "record_refund",
    "reinstate_paid",
    "session_of",
    "starting_between",
    "token_of",
    "trainer_of",
    "upcoming_confirmed",
]
