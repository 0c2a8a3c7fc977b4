"""SQS (booking, attendance, payment and sign-up events): the report aggregates, each event once;
UserDeleted takes the erased member's id out of them."""

import json

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from fitconnect.analytics import reports
from fitconnect.platform.consumers import sqs_batch_handler


def _count(record: SQSRecord) -> str:
    envelope = json.loads(record.body)
    if envelope["detail-type"] == "UserDeleted":
        reports.forget(envelope["detail"]["data"]["user_id"])
        return "forgotten"
    return reports.count(envelope["detail-type"], envelope["detail"])


handler = sqs_batch_handler(_count)
