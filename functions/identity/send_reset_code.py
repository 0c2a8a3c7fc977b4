"""SQS (queued reset requests): a reset code for each e-mail that has an active account, sent
through the notifications queue."""

import json

from fitconnect.identity import reset
from fitconnect.notifications import public as notifications
from fitconnect.platform.consumers import sqs_batch_handler

handler = sqs_batch_handler(
    lambda record: reset.forgot(json.loads(record.body)["email"], notifications.request)
)
