"""SQS consumer: archive each domain event (delivered by the bus rule) to the analytics bucket.

A message that is not an EventBridge event is reported as a batch item failure: it is retried,
then lands in the queue's DLQ, while the rest of the batch is archived.
"""

from fitconnect.analytics.event_archive import archive
from fitconnect.platform.consumers import sqs_batch_handler

handler = sqs_batch_handler(lambda record: archive(record.body))
