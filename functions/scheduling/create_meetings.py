"""SQS (SessionsPublished events): a Zoom meeting for each new live session. Retried, then the DLQ."""

from fitconnect.platform.consumers import domain_event_handler
from fitconnect.scheduling import zoom

handler = domain_event_handler(lambda data: zoom.create_meetings(data["session_ids"]))
