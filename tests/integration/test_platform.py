"""The real template.yaml on the local runtime: what `make run` serves."""

import json

import pytest
import requests

from tests.support.local import aws, eventually


def test_health_tells_a_stranger_only_ok(platform):
    response = requests.get(f"{platform.api_url}/health", timeout=15)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response.headers["Cache-Control"] == "no-store"


def test_health_shows_an_admin_every_check(platform, admin):
    response = requests.get(f"{platform.api_url}/health", headers=_bearer(admin), timeout=15)
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"
    tables = [name for name in body["checks"] if name.endswith("_table")]
    assert len(tables) == len(platform.template.of_type("AWS::DynamoDB::Table"))
    assert all(check["status"] == "ok" for check in body["checks"].values())


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/nowhere"), ("PUT", "/health"), ("DELETE", "/sessions")]
)
def test_no_route_is_a_404_in_the_api_shape_from_the_default_route(platform, method, path):
    response = requests.request(method, f"{platform.api_url}{path}", timeout=15)
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "code": "route_not_found",
            "message": "No such route: check the method and the path.",
            "details": None,
        }
    }
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_health_names_a_missing_table_to_an_admin_only(platform, admin, clock):
    dynamodb = aws(platform, "dynamodb")
    table = platform.template.physical["AnalyticsTable"].ref
    description = dynamodb.describe_table(TableName=table)["Table"]
    dynamodb.delete_table(TableName=table)
    try:
        clock(11)  # past the report's 10 s life
        response = requests.get(f"{platform.api_url}/health", headers=_bearer(admin), timeout=15)
        assert response.status_code == 503
        assert response.json()["error"]["details"] == [{"check": "analytics_table"}]
        anonymous = requests.get(f"{platform.api_url}/health", timeout=15).json()
        assert anonymous["status"] == "unavailable"
        assert "analytics" not in json.dumps(anonymous)
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
    clock(22)
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


def test_personal_answers_are_never_cached_and_nothing_is_sniffed(api):
    member = api.member()
    token = member["access_token"]
    personal = [
        api.get("/me", token=token),
        api.get("/me/bookings", token=token),
        api.get("/me/notification-preferences", token=token),
        api.post("/auth/mfa/setup", token=token),  # a TOTP secret
        api.get("/bookings/01JDNOSUCHBOOKING000000000", token=token),  # an error to a signed-in caller too
    ]
    for reply in personal:
        assert reply.headers["Cache-Control"] == "no-store", reply
        assert reply.headers["X-Content-Type-Options"] == "nosniff", reply
    public = api.get("/sessions")
    assert public.status == 200
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in public.headers.get("Cache-Control", "")
    unauthenticated = api.get("/me")
    assert unauthenticated.status == 401
    assert unauthenticated.headers["X-Content-Type-Options"] == "nosniff"
    not_json = api.call("POST", "/auth/login", raw_body=b"email=a", headers={"Content-Type": "text/plain"})
    assert (not_json.status, not_json.headers["X-Content-Type-Options"]) == (400, "nosniff")


def test_the_openapi_document_and_its_interactive_page_are_served(platform):
    document = requests.get(f"{platform.api_url}/openapi.json", timeout=15)
    assert (document.status_code, document.json()["openapi"]) == (200, "3.1.0")
    assert "/sessions/{session_id}/bookings" in document.json()["paths"]
    page = requests.get(f"{platform.api_url}/docs", timeout=15)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "/docs/swagger-ui-bundle.min.js" in page.text
    assert "https://" not in page.text.split("<body>")[0]  # nothing from a CDN
    script = requests.get(f"{platform.api_url}/docs/swagger-ui-bundle.min.js", timeout=15)
    assert (script.status_code, script.headers["Content-Type"]) == (200, "application/javascript")
    assert len(script.content) > 1_000_000
    missing = requests.get(f"{platform.api_url}/docs/secrets.txt", timeout=15)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


def test_local_metrics_are_prometheus_text_of_what_the_functions_did(platform, api):
    from prometheus_client.parser import text_string_to_metric_families

    member = api.member()  # a registration and a login: functions ran and printed their EMF lines
    assert api.get("/me", token=member["access_token"]).status == 200
    response = requests.get(f"{platform.api_url}/_local/metrics", timeout=15)
    assert response.headers["Content-Type"].startswith("text/plain")
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    invocations = {s.labels["function"]: s.value for s in families["fitconnect_lambda_invocations"].samples}
    assert invocations["RegisterFunction"] >= 1
    assert invocations["LoginFunction"] >= 1
    cold = {s.labels["function"] for s in families["fitconnect_cold_start"].samples}  # Powertools' EMF
    assert "RegisterFunction" in cold
