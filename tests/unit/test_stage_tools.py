"""`make secrets` fills a stage's secrets without printing or losing anything."""

import json

import boto3
import pytest

from deploy.stage_secrets import FIELDS, apply, collect


def read(name):
    return json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])


def test_values_from_the_environment_land_in_their_own_secrets_and_keep_the_rest(aws):
    client = boto3.client("secretsmanager")
    client.put_secret_value(
        SecretId="fitconnect/test/zoom", SecretString=json.dumps({"account_id": "keep-me"})
    )
    environ = {
        "STRIPE_API_KEY": "sk_test_abc123",
        "STRIPE_WEBHOOK_SECRET": "whsec_def456",
        "ZOOM_CLIENT_ID": "client-9",
    }
    changed = apply("test", collect(environ, ask=None), client)
    assert changed == ["fitconnect/test/stripe", "fitconnect/test/stripe-webhook", "fitconnect/test/zoom"]
    assert read("fitconnect/test/stripe")["api_key"] == "sk_test_abc123"
    assert read("fitconnect/test/stripe-webhook")["webhook_secret"] == "whsec_def456"
    assert "webhook_secret" not in read("fitconnect/test/stripe")  # the key and the signing secret live apart
    assert read("fitconnect/test/zoom") == {"account_id": "keep-me", "client_id": "client-9"}


def test_a_value_that_is_not_what_it_claims_is_refused_before_anything_is_written(aws):
    with pytest.raises(ValueError, match="STRIPE_API_KEY"):
        collect({"STRIPE_WEBHOOK_SECRET": "whsec_ok", "STRIPE_API_KEY": "pk_live_public"}, ask=None)


def test_the_prompt_asks_for_what_the_environment_does_not_give():
    asked = []

    def ask(prompt):
        asked.append(prompt.split(" ", 1)[0])
        return "whsec_fromprompt" if prompt.startswith("STRIPE_WEBHOOK_SECRET") else ""

    values = collect({"STRIPE_API_KEY": "sk_test_x1"}, ask=ask)
    assert asked == [field.variable for field in FIELDS if field.variable != "STRIPE_API_KEY"]
    assert {field.variable: value for field, value in values.items()} == {
        "STRIPE_API_KEY": "sk_test_x1",
        "STRIPE_WEBHOOK_SECRET": "whsec_fromprompt",
    }
