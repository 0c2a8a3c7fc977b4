import json
import os
import urllib.request

import paho.mqtt.client as mqtt
import pytest
from stripe import StripeClient

from tests.support.api import ApiClient
from tests.support.local import aws, iam_refusals, start_runtime
from tests.support.oidc import LocalOidcIssuer
from tests.support.paths import FIXTURE_APP, TEMPLATE


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def oidc_issuer():
    """A test OIDC provider, configured as `testidp` through SSO_PROVIDERS as a developer would."""
    issuer = LocalOidcIssuer()
    yield issuer
    issuer.stop()


@pytest.fixture(scope="session")
def platform(oidc_issuer):
    """The real template.yaml on the local runtime, with the test OIDC provider configured."""
    providers = {"testidp": oidc_issuer.provider_config()}
    runtime = start_runtime(TEMPLATE, environ={**os.environ, "SSO_PROVIDERS": json.dumps(providers)})
    yield runtime
    runtime.stop()
    # The runtime refuses every AWS call a function's role does not allow, as AWS would; the real
    # templates must grant every call the suite made (a refusal may hide behind a retry or a 5xx).
    refused = iam_refusals(runtime)
    assert not refused, "IAM refused calls the code makes:\n" + "\n".join(refused[:20])


@pytest.fixture(scope="session")
def fixture_app():
    """The runtime-behaviour fixture app, with fast async retries."""
    runtime = start_runtime(FIXTURE_APP / "template.yaml", async_retry_delays_s=(0.2, 0.2))
    yield runtime
    runtime.stop()


@pytest.fixture(scope="module")
def api(platform):
    """An HTTP client for the platform's API (one per test module)."""
    return ApiClient(platform.api_url)


@pytest.fixture(scope="module")
def admin(api):
    """The demo admin's access token."""
    reply = api.login("admin@fitconnect.local", "fitconnect-demo")
    assert reply.status == 200, reply.body
    return reply.body["access_token"]


@pytest.fixture
def clock(api):
    """Move the functions' clock forward; it is put back after the test."""

    def advance(seconds: float) -> None:
        assert api.post("/_local/clock", {"advance_s": seconds}).status == 200

    yield advance
    api.post("/_local/clock", {"offset_s": 0})


@pytest.fixture(scope="module")
def contention(platform):
    """DynamoDB under contention for a whole module: a tenth of the runtime's DynamoDB writes are
    answered with `TransactionConflict` (infra/fitconnect_local/moto_server.py), as DynamoDB does
    when transactions collide. The module's tests must pass unchanged; at the end, conflicts must
    have happened (else the module proved nothing about them)."""

    def conflicts(method: str, share: float | None = None) -> dict:
        body = json.dumps({"share": share, "seed": 20261129}).encode() if share is not None else None
        request = urllib.request.Request(
            f"{platform.aws_endpoint}/_fitconnect/conflicts", data=body, method=method
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    conflicts("PUT", 0.1)
    yield
    injected = conflicts("GET")["injected"]
    conflicts("PUT", 0.0)
    assert injected > 0, "no conflict was injected: the module ran without contention"


@pytest.fixture(scope="module")
def stripe_settings(platform):
    """The API key and the webhook signing secret, each from its own secret."""
    secrets = aws(platform, "secretsmanager")
    settings = {}
    for logical_id in ("StripeSecret", "StripeWebhookSecret"):
        name = platform.template.physical[logical_id].attrs["Name"]
        settings.update(json.loads(secrets.get_secret_value(SecretId=name)["SecretString"]))
    return settings


@pytest.fixture(scope="module")
def stripe(platform, stripe_settings):
    """The member's side of Stripe (what Stripe.js would do): the same localstripe, over HTTP."""
    return StripeClient(stripe_settings["api_key"], base_addresses={"api": platform.stripe_endpoint})


@pytest.fixture(scope="module")
def device(platform):
    """Publishes telemetry to the local broker as a machine would."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", platform.ports.mqtt)
    client.loop_start()

    def publish(equipment_id, payload, basic_ingest=False):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        topic = f"fitconnect/equipment/{equipment_id}/telemetry"
        if basic_ingest:  # straight to the rule (IoT Core's Basic Ingest)
            topic = f"$aws/rules/fitconnect_local_telemetry/{topic}"
        client.publish(topic, body, qos=1).wait_for_publish(5)

    yield publish
    client.loop_stop()
    client.disconnect()
