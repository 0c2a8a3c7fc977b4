"""The real template.yaml on the local runtime: what `make run` serves."""

import json

import requests

from tests.support.local import aws, eventually


def test_health_is_ok_with_every_check(platform):
    response = requests.get(f"{platform.api_url}/health", timeout=15)
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"
    tables = [name for name in body["checks"] if name.endswith("_table")]
    assert len(tables) == len(platform.template.of_type("AWS::DynamoDB::Table"))
    assert all(check["status"] == "ok" for check in body["checks"].values())


def test_health_names_a_missing_table(platform):
    dynamodb = aws(platform, "dynamodb")
    table = platform.template.physical["AnalyticsTable"].ref
    description = dynamodb.describe_table(TableName=table)["Table"]
    dynamodb.delete_table(TableName=table)
    try:
        response = requests.get(f"{platform.api_url}/health", timeout=15)
        assert response.status_code == 503
        assert response.json()["error"]["details"]["failing"] == ["analytics_table"]
    finally:
        dynamodb.create_table(
            TableName=table,
            KeySchema=description["KeySchema"],
            AttributeDefinitions=description["AttributeDefinitions"],
            BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[
                {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
                for i in description.get("GlobalSecondaryIndexes", [])
            ],
        )
    assert requests.get(f"{platform.api_url}/health", timeout=15).status_code == 200


def test_domain_events_on_the_bus_are_archived(platform):
    bus = platform.template.physical["EventBus"].ref
    bucket = platform.template.physical["AnalyticsBucket"].ref
    detail = {
        "metadata": {
            "event_id": "01JDTESTEVENT0000000000001",
            "occurred_at": "2026-11-23T08:00:00.000Z",
            "correlation_id": "it",
        },
        "data": {"booking_id": "b1"},
    }
    aws(platform, "events").put_events(
        Entries=[
            {
                "EventBusName": bus,
                "Source": "fitconnect.scheduling",
                "DetailType": "BookingConfirmed",
                "Detail": json.dumps(detail),
            },
            {"EventBusName": bus, "Source": "somebody.else", "DetailType": "Noise", "Detail": "{}"},
        ]
    )
    s3 = aws(platform, "s3")

    def archived():
        return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="events/").get("Contents", [])]

    def ours():  # other tests' real domain events are archived too
        return [key for key in archived() if key.endswith("01JDTESTEVENT0000000000001.json")]

    keys = eventually(ours, timeout_s=20)
    assert len(keys) == 1
    assert keys[0].endswith("/source=fitconnect.scheduling/01JDTESTEVENT0000000000001.json")
    assert not [key for key in archived() if "somebody.else" in key]
    stored = json.loads(s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read())
    assert stored["detail"]["data"] == {"booking_id": "b1"}


def test_health_probe_schedule_fires(platform):
    response = requests.post(f"{platform.api_url}/_local/schedules/HealthProbeFunction", timeout=15).json()
    [invocation] = response["invocations"]
    assert invocation["ok"] is True
    assert invocation["result"] == {"healthy": True, "failing": []}


def test_function_listing_covers_the_template(platform):
    listing = requests.get(f"{platform.api_url}/_local/functions", timeout=5).json()["items"]
    assert {item["logical_id"] for item in listing} == set(platform.functions)
    resources = requests.get(f"{platform.api_url}/_local/resources", timeout=5).json()["resources"]
    assert resources["EventArchiveQueue"]["ref"].startswith(platform.aws_endpoint)
