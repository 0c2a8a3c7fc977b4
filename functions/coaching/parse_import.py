"""SQS (S3 "Object Created" in the imports bucket, through EventBridge): read the uploaded workout
file into the member's activities. Repeatable: a second delivery finds the import finished."""

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from fitconnect.coaching import imports
from fitconnect.platform.consumers import sqs_batch_handler


def _uploaded(record: SQSRecord) -> None:
    detail = json.loads(record.body)["detail"]
    imports.uploaded(detail["bucket"]["name"], detail["object"]["key"], int(detail["object"]["size"]))


handler = sqs_batch_handler(_uploaded)
