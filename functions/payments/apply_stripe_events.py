"""SQS (verified Stripe webhook events): apply each once — a booking's payment (confirm, release,
reinstate or refund), or a purchase's and a membership's (pricing)."""

import json

from fitconnect.payments import stripe_events
from fitconnect.platform.consumers import sqs_batch_handler
from fitconnect.pricing import public as pricing

stripe_events.add_router(pricing.stripe_handler)

_batch = sqs_batch_handler(lambda record: stripe_events.apply_once(event=json.loads(record.body)))


def handler(event, context):
    stripe_events.register_lambda_context(context)
    return _batch(event, context)
