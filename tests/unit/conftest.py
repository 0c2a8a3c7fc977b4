"""Unit tests run the real code against moto's in-process AWS, with resources made from template.yaml."""

import os
import socket
import sys
from datetime import timedelta
from unittest import mock

import pytest
from moto import mock_aws

from fitconnect.platform import clock, secrets
from fitconnect_local.moto_server import template_key_ids
from fitconnect_local.processes import Service
from fitconnect_local.provision import Provisioner

REGION = "us-east-1"


@pytest.fixture
def aws(template, functions):
    """A fresh in-process AWS with every resource the template declares (tables, buckets, queues,
    bus, rules, secrets, parameters, e-mail identities)."""
    env = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_NAMESPACE": "FitConnectTest",
        "POWERTOOLS_SERVICE_NAME": "test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    template_key_ids()  # KMS keys get the ids the template gave the functions, as on the runtime
    with mock.patch.dict(os.environ, env, clear=False), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        # The local runtime's own provisioner, pointed at the in-process mock (no endpoint).
        Provisioner(template, None, functions).provision()
        secrets.forget()  # a new AWS has new secret values under the same names
        yield template


@pytest.fixture
def function_env(aws, functions):
    """Patch the environment a function gets from the template (Globals + its own), resolved."""

    def apply(logical_id: str):
        return mock.patch.dict(os.environ, functions[logical_id].environment)

    return apply


@pytest.fixture
def scheduling(function_env):
    """The scheduling domain with an approved trainer, in the environment of its functions."""
    with function_env("CreateSessionFunction"), function_env("CreateBookingFunction"):
        from fitconnect.members.models import Profile
        from fitconnect.scheduling import bookings, sessions
        from fitconnect.scheduling.models import Trainer

        now = clock.now_iso()
        Profile(*Profile.key("t1"), user_id="t1", name="Tess", created_at=now).save()
        Trainer(
            *Trainer.key("t1"),
            trainer_id="t1",
            name="Tess",
            bio="b",
            specialties=["hiit"],
            hourly_rate_cents=0,
            currency="usd",
            status="approved",
            search_text="tess",
            applied_at=now,
            gsi1pk="TRAINERS#approved",
            gsi1sk="tess#t1",
        ).save()

        def publish(capacity=1, price_cents=0):
            body = sessions.NewSession(
                title="Spin",
                starts_at=clock.now() + timedelta(days=3),
                duration_min=45,
                capacity=capacity,
                price_cents=price_cents,
                currency="usd",
                kind="in_person",
                location="Studio 1",
            )
            return sessions.publish_sessions("t1", False, body)[0].session_id

        yield bookings, sessions, publish


@pytest.fixture
def contention(aws):
    """In-process moto as strict as DynamoDB: operations isolated (one lock, as the local runtime
    does) and a settable share of writes answered with DynamoDB's conflicts; off again after."""
    from fitconnect_local import moto_server

    moto_server.item_level_rollback()
    moto_server.serialise_dynamodb()
    moto_server.inject_conflicts()
    yield moto_server.conflicts
    moto_server.conflicts.set(0.0)


@pytest.fixture(scope="session")
def localstripe():
    """A localstripe of the unit tests' own, on a free port (its store lives as long as the session)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = lambda _name, line: sys.stderr.write(line)  # noqa: E731 - shown only when a test fails
    service = Service("stripe", "fitconnect_local.stripe_server", port, log)
    service.start()
    try:
        service.wait_ready()
        yield f"http://127.0.0.1:{port}"
    finally:
        service.stop()


@pytest.fixture
def pay_by_card(localstripe, monkeypatch):
    """What the member's browser does with a payment's client secret: attach a card, confirm. Returns
    the intent as Stripe describes it (its own metadata, as a webhook would carry it)."""
    monkeypatch.setenv("STRIPE_API_BASE", localstripe)

    def pay(payment, card="pm_card_visa"):
        from fitconnect.payments import stripe_gateway

        stripe = stripe_gateway.client()
        stripe.v1.payment_intents.update(payment.payment_intent_id, params={"payment_method": card})
        intent = stripe.v1.payment_intents.confirm(payment.payment_intent_id)
        return {"id": intent.id, "status": intent.status, "metadata": intent.metadata.to_dict()}

    return pay


@pytest.fixture
def payments_domain(scheduling, function_env, pay_by_card):
    """The payments domain in its functions' environment (the Stripe consumer's and the payment
    tasks'), against the unit session's localstripe."""
    with function_env("ApplyStripeEventsFunction"), function_env("PaymentTasksFunction"):
        from fitconnect.payments import payments

        yield payments
