"""POST /webhooks/stripe — verify `Stripe-Signature`, queue the event, acknowledge at once."""

import os

from fitconnect.payments import stripe_gateway
from fitconnect.platform import aws
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)


@app.post("/webhooks/stripe", responses=answers(200))
def stripe_webhook():
    body = app.current_event.decoded_body or ""
    event = stripe_gateway.verified_event(body, app.current_event.headers.get("stripe-signature"))
    aws.client("sqs").send_message(QueueUrl=os.environ["STRIPE_EVENTS_QUEUE_URL"], MessageBody=body)
    return json_response(200, {"received": True, "id": event.get("id")})


handler = http_handler(app)
