"""SQS (booking and payment events from the bus): each becomes its member's notification, sent once
on the channels they want, or deferred to the end of their quiet hours."""

import json

from fitconnect.notifications import notifications
from fitconnect.platform.consumers import sqs_batch_handler


def _record(record):
    envelope = json.loads(record.body)
    return notifications.from_event(envelope["detail-type"], envelope["detail"])


handler = sqs_batch_handler(_record)
