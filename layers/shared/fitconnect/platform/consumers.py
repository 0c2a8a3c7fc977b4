"""SQS consumers: Powertools batch processing with partial failures, one record at a time.

A record whose handler raises is reported as a batch item failure: SQS redelivers it (and after
`maxReceiveCount`, moves it to the queue's DLQ) while the rest of the batch is done. Handlers
must be safe to repeat: delivery is at least once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from fitconnect.platform.observability import logger, metrics, tracer

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


def sqs_batch_handler(record_handler: Callable[[SQSRecord], Any]) -> LambdaHandler:
    processor = BatchProcessor(event_type=EventType.SQS)

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return handler


def domain_event_handler(handle: Callable[[dict[str, Any]], Any]) -> LambdaHandler:
    """For queues fed by a bus rule: `handle` gets the domain event's `data`."""

    def handle_record(record: SQSRecord) -> Any:
        return handle(json.loads(record.body)["detail"]["data"])

    return sqs_batch_handler(handle_record)


def routed_domain_event_handler(handlers: dict[str, Callable[[dict[str, Any]], Any]]) -> LambdaHandler:
    """For queues fed by a rule matching several detail-types: each type to its handler."""

    def handle_record(record: SQSRecord) -> Any:
        envelope = json.loads(record.body)
        return handlers[envelope["detail-type"]](envelope["detail"]["data"])

    return sqs_batch_handler(handle_record)
