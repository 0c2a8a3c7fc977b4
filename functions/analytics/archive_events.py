"""SQS consumer: archive each domain event (delivered by the bus rule) to the analytics bucket.

A message that is not an EventBridge event is reported as a batch item failure: it is retried,
then lands in the queue's DLQ, while the rest of the batch is archived.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from fitconnect.analytics.event_archive import archive
from fitconnect.platform.observability import logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS)


def archive_record(record: SQSRecord) -> str:
    return archive(record.body)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event, context):
    return process_partial_response(
        event=event, record_handler=archive_record, processor=processor, context=context
    )
