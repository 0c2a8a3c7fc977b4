"""SQS (UserDeleted events): cancel the erased member's future bookings, paid ones refunded in full."""

from fitconnect.platform.consumers import domain_event_handler
from fitconnect.scheduling import bookings

handler = domain_event_handler(lambda data: bookings.cancel_all_of_member(data["user_id"]))
