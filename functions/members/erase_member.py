"""SQS (UserDeleted events): erase what identity and members hold about the user, and the push
endpoints of their devices. Repeatable."""

from fitconnect.members import personal_data
from fitconnect.notifications import public as notifications
from fitconnect.platform.consumers import domain_event_handler

handler = domain_event_handler(lambda data: personal_data.erase(data["user_id"], notifications.forget_device))
