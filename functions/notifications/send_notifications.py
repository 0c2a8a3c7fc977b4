"""SQS: booking, payment and sign-up events from the bus, due reminders the schedule hands on, and
urgent requests (password reset codes) queued directly. Each becomes its member's notification,
sent once on the channels they want, or deferred to the end of their quiet hours."""

import json

from fitconnect.notifications import notifications
from fitconnect.platform.consumers import sqs_batch_handler


def _record(record):
    body = json.loads(record.body)
    if "detail-type" in body:
        return notifications.from_event(body["detail-type"], body["detail"])
    if "reminder" in body:
        return notifications.from_reminder(body["reminder"])
    return notifications.from_request(body)


handler = sqs_batch_handler(_record)
