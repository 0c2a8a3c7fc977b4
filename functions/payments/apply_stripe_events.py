"""SQS (verified Stripe webhook events): apply each once — confirm, release, reinstate or refund."""

import json

from fitconnect.payments import stripe_events
from fitconnect.platform.consumers import sqs_batch_handler

_batch = sqs_batch_handler(lambda record: stripe_events.apply_once(event=json.loads(record.body)))


def handler(event, context):
    stripe_events.register_lambda_context(context)
    return _batch(event, context)
