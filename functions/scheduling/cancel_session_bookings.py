"""SQS (SessionCancelled events): cancel and refund every booking of the session. Repeatable."""

from fitconnect.platform.consumers import domain_event_handler
from fitconnect.scheduling import bookings

handler = domain_event_handler(lambda data: bookings.cancel_all(data["session_id"]))
