"""Every function has a sample event under events/, and each sample does what it should."""

import json
from unittest import mock

import boto3
import pytest

from tests.support.lambdas import load_event, load_handler
from tests.support.paths import EVENTS_DIR

SAMPLES = sorted(EVENTS_DIR.rglob("*.json"))


def samples_of(function_id):
    return [path for path in SAMPLES if path.name.split(".")[0] == function_id]


def test_every_function_has_a_sample_and_every_sample_a_function(functions):
    assert all(samples_of(function_id) for function_id in functions), "a function without an events/ sample"
    assert {path.name.split(".")[0] for path in SAMPLES} <= set(functions)


def test_health_sample_reports_every_resource_ok(function_env, functions, lambda_context):
    with function_env("HealthFunction"):
        handler = load_handler(functions["HealthFunction"])
        response = handler(load_event(samples_of("HealthFunction")[0]), lambda_context)
    body = json.loads(response["body"])
    assert response["statusCode"] == 200
    assert body["status"] == "ok"
    names = set(body["checks"])
    assert {"identity_table", "idempotency_table", "analytics_bucket", "event_archive_queue_url"} <= names
    assert "event_bus_name" in names
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_health_names_the_failing_check(function_env, functions, lambda_context, aws):
    boto3.client("dynamodb").delete_table(TableName=aws.physical["PaymentsTable"].ref)
    with function_env("HealthFunction"):
        handler = load_handler(functions["HealthFunction"])
        response = handler(load_event(samples_of("HealthFunction")[0]), lambda_context)
    body = json.loads(response["body"])
    assert response["statusCode"] == 503
    assert body["error"]["details"] == [{"check": "payments_table"}]
    assert "payments_table" in body["error"]["message"]
    assert body["checks"]["identity_table"]["status"] == "ok"


def test_health_probe_sample_reports_healthy(function_env, functions, lambda_context, capfd):
    with function_env("HealthProbeFunction"):
        handler = load_handler(functions["HealthProbeFunction"])
        result = handler(load_event(samples_of("HealthProbeFunction")[0]), lambda_context)
    assert result == {"healthy": True, "failing": []}
    assert '"FailingHealthChecks":[0.0]' in capfd.readouterr().out


@pytest.mark.parametrize("sample", samples_of("ArchiveEventsFunction"), ids=lambda p: p.name)
def test_archive_samples_store_good_events_and_fail_only_the_poison(
    function_env, functions, lambda_context, aws, sample
):
    event = load_event(sample)
    with function_env("ArchiveEventsFunction"):
        handler = load_handler(functions["ArchiveEventsFunction"])
        result = handler(event, lambda_context)
    poison = [r["messageId"] for r in event["Records"] if not r["body"].startswith("{")]
    assert result == {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in poison]}
    bucket = aws.physical["AnalyticsBucket"].ref
    keys = sorted(o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=bucket).get("Contents", []))
    expected = sorted(
        f"events/dt=2026-11-23/source={json.loads(r['body'])['source']}/"
        f"{json.loads(r['body'])['detail']['metadata']['event_id']}.json"
        for r in event["Records"]
        if r["body"].startswith("{")
    )
    assert keys == expected
    stored = json.loads(boto3.client("s3").get_object(Bucket=bucket, Key=keys[0])["Body"].read())
    assert stored["detail-type"] in {"BookingConfirmed", "PaymentSucceeded"}


def test_archiving_the_same_batch_twice_keeps_one_object_per_event(
    function_env, functions, lambda_context, aws
):
    event = load_event(samples_of("ArchiveEventsFunction")[0])
    with function_env("ArchiveEventsFunction"):
        handler = load_handler(functions["ArchiveEventsFunction"])
        handler(event, lambda_context)
        handler(event, lambda_context)
    bucket = aws.physical["AnalyticsBucket"].ref
    assert boto3.client("s3").list_objects_v2(Bucket=bucket)["KeyCount"] == len(event["Records"])


def test_health_answers_a_crowd_with_one_round_of_checks(function_env, functions, lambda_context):
    import botocore.client

    made = []
    real = botocore.client.BaseClient._make_api_call

    def recording(client, operation, params):
        made.append(operation)
        return real(client, operation, params)

    with (
        function_env("HealthFunction"),
        mock.patch.object(botocore.client.BaseClient, "_make_api_call", recording),
    ):
        handler = load_handler(functions["HealthFunction"])
        anonymous = load_event(samples_of("HealthFunction")[0])
        anonymous["requestContext"].pop("authorizer")
        answers = [handler(anonymous, lambda_context) for _ in range(20)]
    assert {answer["statusCode"] for answer in answers} == {200}
    assert json.loads(answers[0]["body"]) == {"status": "ok"}  # a stranger learns only that
    tables = [name for name in functions["HealthFunction"].environment if name.endswith("_TABLE")]
    assert made.count("DescribeTable") == len(tables)  # one round for twenty callers, not twenty
