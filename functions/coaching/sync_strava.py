"""SQS (Strava's webhook events, and UserDeleted from the bus): make the member's activities match
Strava, once per event, holding events in the queue while Strava's rate limits are used up."""

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from fitconnect.coaching import strava_sync
from fitconnect.platform.consumers import sqs_batch_handler


def _apply(record: SQSRecord) -> None:
    strava_sync.apply_message(record.body, record.receipt_handle)


handler = sqs_batch_handler(_apply)
