"""What other contexts may use of scheduling: reads of bookings, sessions and trainers (for
notifications, the assistant and a member's data export), a booking's calendar file, and the seat
holds payments moves (confirm a held seat, cancel, reinstate, record a refund). Everything else in
this package is scheduling's own (tests/unit/test_structure.py holds the line).

Loaded on first use (platform.faces): payments and pricing import this face for paths most of their
functions never run."""

from fitconnect.platform.faces import lazy_face

_BOOKINGS, _CALENDAR, _MODELS = (
    "fitconnect.scheduling.bookings",
    "fitconnect.scheduling.calendar",
    "fitconnect.scheduling.models",
)
_EXPORTS = {
    "Booking": _MODELS,
    "Session": _MODELS,
    "Trainer": _MODELS,
    "booking_or_none": _BOOKINGS,
    "calendar_file": f"{_CALENDAR}:render",
    "calendar_url": _CALENDAR,
    "cancel": _BOOKINGS,
    "confirm_held": _BOOKINGS,
    "export_part": _BOOKINGS,
    "of_member": _BOOKINGS,
    "rating_of": "fitconnect.scheduling.trainers",
    "record_refund": _BOOKINGS,
    "reinstate_paid": _BOOKINGS,
    "session_of": "fitconnect.scheduling.sessions",
    "starting_between": "fitconnect.scheduling.sessions",
    "token_of": _CALENDAR,
    "trainer_of": "fitconnect.scheduling.trainers",
    "upcoming_confirmed": _BOOKINGS,
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_face(__name__, _EXPORTS)
