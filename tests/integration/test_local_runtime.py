"""The local runtime behaves as API Gateway, Lambda, SQS, EventBridge, IoT Core and Stripe would."""

import base64
import json
import time

import paho.mqtt.client as mqtt
import pytest
import requests

from tests.support.local import aws, eventually

TOKEN = {"Authorization": "allow-u1"}


def records(app, kind):
    table = aws(app, "dynamodb")
    items = table.query(
        TableName="fixture-local-records",
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": kind}},
    )["Items"]
    return [json.loads(item["payload"]["S"]) for item in items]


def function_stats(app, function_id):
    listing = requests.get(f"{app.api_url}/_local/functions", timeout=5).json()["items"]
    return next(item for item in listing if item["logical_id"] == function_id)


# -- API Gateway: the 2.0 event, routing, bodies ------------------------------------------------
def test_route_event_has_path_query_headers_and_caller(fixture_app):
    response = requests.get(f"{fixture_app.api_url}/echo/42?tag=a&tag=b&q=x", headers=TOKEN, timeout=10)
    assert response.status_code == 200
    event = response.json()["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /echo/{item_id}"
    assert event["pathParameters"] == {"item_id": "42"}
    assert event["queryStringParameters"] == {"tag": "a,b", "q": "x"}
    assert event["rawQueryString"] == "tag=a&tag=b&q=x"
    assert event["headers"]["authorization"] == "allow-u1"
    assert event["requestContext"]["authorizer"]["lambda"] == {"user_id": "u1", "role": "member"}
    assert event["requestContext"]["http"]["method"] == "GET"
    assert 0 < response.json()["remaining_ms"] <= 5000
    assert response.headers["apigw-requestid"] == event["requestContext"]["requestId"]


def test_binary_body_arrives_base64_and_json_as_text(fixture_app):
    raw = bytes(range(256))
    response = requests.post(
        f"{fixture_app.api_url}/public/echo",
        data=raw,
        headers={"Content-Type": "application/octet-stream"},
        timeout=10,
    )
    assert response.status_code == 200, (response.text, list(fixture_app.logs["EchoFunction"]))
    binary = response.json()["event"]
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == raw
    text = requests.post(f"{fixture_app.api_url}/public/echo", json={"a": 1}, timeout=10).json()["event"]
    assert text["isBase64Encoded"] is False
    assert json.loads(text["body"]) == {"a": 1}


def test_literal_route_beats_greedy_and_greedy_takes_the_rest(fixture_app):
    literal = requests.get(f"{fixture_app.api_url}/files/readme", timeout=10).json()["event"]
    greedy = requests.delete(f"{fixture_app.api_url}/files/a/b/c.txt", timeout=10).json()["event"]
    assert literal["routeKey"] == "GET /files/readme"
    assert greedy["routeKey"] == "ANY /files/{proxy+}"
    assert greedy["pathParameters"] == {"proxy": "a/b/c.txt"}


def test_unknown_route_and_method_are_gateway_404s_in_the_api_shape(fixture_app):
    nowhere = requests.get(f"{fixture_app.api_url}/nowhere", timeout=5)
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (404, "route_not_found")
    assert nowhere.json()["error"]["details"] is None
    assert requests.put(f"{fixture_app.api_url}/public/echo", timeout=5).status_code == 404


def test_a_request_line_over_64_kib_is_a_json_414(fixture_app):
    response = requests.get(f"{fixture_app.api_url}/public/echo?q={'x' * 70_000}", timeout=5)
    assert (response.status_code, response.json()["error"]["code"]) == (414, "uri_too_long")


# -- the Lambda authorizer ------------------------------------------------------------------------
def test_authorizer_decisions(fixture_app):
    url = f"{fixture_app.api_url}/echo/1"
    assert requests.get(url, timeout=5).status_code == 401  # no identity source: not even asked
    assert requests.get(url, headers={"Authorization": "deny"}, timeout=5).json() == {
        "error": {"code": "forbidden", "message": "Forbidden", "details": None}
    }
    assert requests.get(url, headers={"Authorization": "bad"}, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "boom"}, timeout=5).status_code == 500
    assert "" not in [r["token"] for r in records(fixture_app, "authorizer")]


def test_authorizer_result_is_cached_per_identity(fixture_app):
    url = f"{fixture_app.api_url}/echo/1"
    token = {"Authorization": "allow-cache-user"}

    def asked():
        return [r for r in records(fixture_app, "authorizer") if r["token"] == "allow-cache-user"]

    for _ in range(3):
        assert requests.get(url, headers=token, timeout=5).status_code == 200
    assert len(asked()) == 1
    assert requests.post(f"{fixture_app.api_url}/_local/authorizer-cache/flush", timeout=5).status_code == 204
    assert requests.get(url, headers=token, timeout=5).status_code == 200
    assert len(asked()) == 2


def test_cors_preflight_and_response_headers(fixture_app):
    preflight = requests.options(
        f"{fixture_app.api_url}/public/echo",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Max-Age"] == "60"
    stranger = requests.options(
        f"{fixture_app.api_url}/public/echo",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert "Access-Control-Allow-Origin" not in stranger.headers
    simple = requests.post(
        f"{fixture_app.api_url}/public/echo", json={}, headers={"Origin": "https://app.example"}, timeout=5
    )
    assert simple.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert simple.headers["Access-Control-Expose-Headers"] == "x-fixture"


# -- resource policies: the runtime invokes only what the translated templates let AWS invoke ----------
def function_logs(app, function_id):
    return requests.get(f"{app.api_url}/_local/functions/{function_id}/logs", timeout=5).json()["lines"]


def test_a_route_without_an_invoke_permission_is_a_500_naming_the_missing_grant(fixture_app):
    before = function_stats(fixture_app, "EchoFunction")["invocations"]
    response = requests.get(f"{fixture_app.api_url}/ungranted", timeout=10)
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Internal Server Error", "details": None}
    }
    assert function_stats(fixture_app, "EchoFunction")["invocations"] == before
    assert any(
        "may not invoke it from arn:aws:execute-api:" in line and "/$default/GET/ungranted" in line
        for line in function_logs(fixture_app, "EchoFunction")
    )
    # The same function behind a route its permission covers answers.
    assert requests.get(f"{fixture_app.api_url}/files/readme", timeout=10).status_code == 200


def test_an_authorizer_api_gateway_may_not_invoke_fails_every_request_it_guards(fixture_app):
    response = requests.get(f"{fixture_app.api_url}/files/guarded", headers=TOKEN, timeout=10)
    assert response.status_code == 500
    assert any(
        "/authorizers/" in line and "UngrantedAuth" in line
        for line in function_logs(fixture_app, "AuthorizerFunction")
    )


def test_a_rule_target_without_an_invoke_permission_gets_no_events(fixture_app):
    aws(fixture_app, "events").put_events(
        Entries=[
            {
                "EventBusName": "fixture-local-bus",
                "Source": "fixture.ungranted",
                "DetailType": "Order",
                "Detail": json.dumps({"order": "ungranted"}),
            }
        ]
    )
    # The positive signal: the event reached the rule's delivery and was refused there.
    refused = eventually(
        lambda: [line for line in function_logs(fixture_app, "RecorderFunction") if "UngrantedRule" in line]
    )
    assert "no AWS::Lambda::Permission lets events.amazonaws.com invoke it" in refused[0]
    assert not [r for r in records(fixture_app, "rule") if r["detail"].get("order") == "ungranted"]


def test_an_aws_call_the_role_does_not_allow_is_refused_as_aws_refuses_it(fixture_app):
    answer = requests.get(f"{fixture_app.api_url}/nosy", timeout=10).json()
    assert answer["query"]["code"] == "AccessDeniedException"
    assert "not authorized to perform: dynamodb:Query" in answer["query"]["message"]
    assert ":table/fixture-local-records" in answer["query"]["message"]
    assert records(fixture_app, "nosy") == [{"wrote": True}]  # the write its role allows went through
    assert any(
        "[iam]" in line and "dynamodb:Query" in line for line in function_logs(fixture_app, "NosyFunction")
    )


# -- Lambda: errors, timeouts, warm workers ----------------------------------------------------------
def test_handler_exception_is_a_500_and_a_log_line_not_a_crash(fixture_app):
    response = requests.get(f"{fixture_app.api_url}/crash", timeout=10)
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Internal Server Error", "details": None}
    }
    logs = requests.get(f"{fixture_app.api_url}/_local/functions/CrashFunction/logs", timeout=5).json()[
        "lines"
    ]
    assert any("ValueError: fixture crash" in line for line in logs)
    assert requests.post(f"{fixture_app.api_url}/public/echo", json={}, timeout=10).status_code == 200


def test_timeout_kills_the_worker_and_the_next_call_starts_cold(fixture_app):
    started = time.monotonic()
    assert requests.get(f"{fixture_app.api_url}/slow", timeout=10).status_code == 500
    assert time.monotonic() - started < 2.5  # 1 s timeout, not the handler's 3 s sleep
    before = function_stats(fixture_app, "SlowFunction")["cold_starts"]
    requests.get(f"{fixture_app.api_url}/slow", timeout=10)
    assert function_stats(fixture_app, "SlowFunction")["cold_starts"] == before + 1


def test_warm_workers_are_reused(fixture_app):
    for _ in range(3):
        requests.post(f"{fixture_app.api_url}/public/echo", json={}, timeout=10)
    stats = function_stats(fixture_app, "EchoFunction")
    assert stats["invocations"] >= 3
    assert stats["cold_starts"] <= fixture_app.max_concurrency
    assert stats["warm_workers"] >= 1


# -- SQS: batches, partial failures, redrive -------------------------------------------------------
def test_poison_message_ends_in_the_dlq_while_the_rest_is_processed(fixture_app):
    sqs = aws(fixture_app, "sqs")
    queue = sqs.get_queue_url(QueueName="fixture-local-work")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName="fixture-local-work-dlq")["QueueUrl"]
    for body in ("job-1", "poison-pill", "job-2"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)

    def dead_letters():
        return sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages")

    dead = eventually(dead_letters, timeout_s=20)
    assert [m["Body"] for m in dead] == ["poison-pill"]
    done = sorted(r["body"] for r in records(fixture_app, "work"))
    assert done == ["job-1", "job-2"]  # each good message processed once, not retried with the poison


# -- EventBridge: AWS pattern semantics via moto ----------------------------------------------------
def test_rule_delivers_only_events_matching_its_pattern(fixture_app):
    events = aws(fixture_app, "events")
    entries = [
        {"amount": 150, "sku": "PRO-7", "order": "match"},
        {"amount": 50, "sku": "PRO-8", "order": "too-small"},
        {"amount": 500, "sku": "BASIC-1", "order": "wrong-prefix"},
    ]
    events.put_events(
        Entries=[
            {
                "EventBusName": "fixture-local-bus",
                "Source": "fixture.orders",
                "DetailType": "Order",
                "Detail": json.dumps(detail),
            }
            for detail in entries
        ]
    )
    delivered = eventually(lambda: records(fixture_app, "rule"))
    time.sleep(1.5)  # give non-matching events the chance to (wrongly) arrive
    orders = [r["detail"]["order"] for r in records(fixture_app, "rule")]
    assert orders == ["match"]
    assert delivered[0]["source"] == "fixture.orders"


# -- schedules ----------------------------------------------------------------------------------------
def test_schedule_fires_on_demand_with_its_input(fixture_app):
    response = requests.post(f"{fixture_app.api_url}/_local/schedules/TickFunction", timeout=10).json()
    assert {item["schedule"] for item in response["invocations"]} == {"EveryMinute", "Nightly"}
    assert all(item["ok"] for item in response["invocations"])
    ticks = records(fixture_app, "tick")
    assert {"tick": True} in ticks
    assert any(t.get("detail-type") == "Scheduled Event" for t in ticks)
    no_schedule = requests.post(f"{fixture_app.api_url}/_local/schedules/EchoFunction", timeout=5)
    assert no_schedule.status_code == 404


# -- IoT rules through the real broker ----------------------------------------------------------------
def test_iot_rule_applies_its_sql_to_broker_messages(fixture_app):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", fixture_app.ports.mqtt)
    client.loop_start()
    try:
        for temperature in (20, 61):
            info = client.publish(
                "fixture/devices/d7/telemetry", json.dumps({"temperature_c": temperature}), qos=1
            )
            info.wait_for_publish(5)
        client.publish("fixture/devices/d8/telemetry", b"\x00not json", qos=1).wait_for_publish(5)
    finally:
        client.loop_stop()
        client.disconnect()
    hot = eventually(lambda: records(fixture_app, "telemetry"))
    time.sleep(0.5)
    assert records(fixture_app, "telemetry") == [{"temperature_c": 61, "device_id": "d7"}]
    assert hot
    stats = requests.get(f"{fixture_app.api_url}/_local/iot", timeout=5).json()
    assert stats["not_json"] >= 1
    assert stats["filtered_out"] >= 1


# -- Stripe webhooks from localstripe, signed with a generated secret -------------------------------
def test_localstripe_sends_signed_webhooks_to_the_route(fixture_app):
    created = requests.post(
        f"{fixture_app.stripe_endpoint}/v1/customers",
        data={"email": "member@fixture.local"},
        headers={"Authorization": "Bearer sk_test_local"},
        timeout=10,
    )
    assert created.status_code == 200
    webhooks = eventually(lambda: records(fixture_app, "stripe"), timeout_s=10)
    assert {"type": "customer.created", "signature_valid": True} in webhooks


# -- the outbox and the movable clock ---------------------------------------------------------------------
def test_outbox_lists_emails_sms_and_push_newest_first(fixture_app):
    assert requests.post(f"{fixture_app.api_url}/mail", timeout=10).status_code == 202
    items = requests.get(f"{fixture_app.api_url}/_local/outbox", timeout=5).json()["items"]
    channels = [item["channel"] for item in items[:3]]
    assert channels == ["push", "sms", "email"]
    email = items[2]
    assert email["subject"] == "Hello from the fixture"
    assert email["to"] == ["member@fixture.local"]
    assert items[1]["to"] == ["+15555550100"]
    assert items[0]["body"] == "push text"


def test_schedules_fire_by_themselves_when_their_time_comes(fixture_app):
    def scheduled_ticks():
        return [t for t in records(fixture_app, "tick") if t == {"tick": True}]

    before = len(scheduled_ticks())
    try:
        # rate(1 minute): moving the clock 61 s on makes it due; the scheduler fires it, no fire-now.
        requests.post(f"{fixture_app.api_url}/_local/clock", json={"advance_s": 61}, timeout=5)
        assert eventually(lambda: len(scheduled_ticks()) > before, timeout_s=10)
    finally:
        requests.post(f"{fixture_app.api_url}/_local/clock", json={"offset_s": 0}, timeout=5)


def test_clock_can_be_moved_for_functions(fixture_app):
    try:
        moved = requests.post(f"{fixture_app.api_url}/_local/clock", json={"advance_s": 86400}, timeout=5)
        assert moved.json()["offset_s"] == 86400
        now = requests.post(f"{fixture_app.api_url}/public/echo", json={}, timeout=10).json()["now"]
        assert now > time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() + 86000))
    finally:
        requests.post(f"{fixture_app.api_url}/_local/clock", json={"offset_s": 0}, timeout=5)


@pytest.mark.parametrize("path", ["/_local/nothing", "/_local/functions/Nope/logs"])
def test_unknown_control_routes_are_404(fixture_app, path):
    assert requests.get(f"{fixture_app.api_url}{path}", timeout=5).status_code == 404


# -- the control surface is local in every sense; malformed HTTP is a 400, not a dropped connection --
def test_control_routes_refuse_other_origins_and_never_answer_with_cors_headers(fixture_app):
    url = f"{fixture_app.api_url}/_local/outbox"
    foreign = requests.get(url, headers={"Origin": "https://app.example"}, timeout=5)  # an allowed API origin
    assert foreign.status_code == 403
    assert "Access-Control-Allow-Origin" not in foreign.headers
    preflight = requests.options(
        f"{fixture_app.api_url}/_local/functions/EchoFunction/invoke",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    own = requests.get(url, headers={"Origin": fixture_app.api_url}, timeout=5)
    assert own.status_code == 200
    assert "Access-Control-Allow-Origin" not in own.headers
    # A form post (what a page could send without a preflight) is not JSON: refused.
    form = requests.post(f"{fixture_app.api_url}/_local/clock", data="advance_s=60", timeout=5)
    assert form.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        {"advance_s": 1e308 * 10},
        {"advance_s": "60"},
        {"offset_s": 10**12},
        {"now": "2026-13-01"},
        {"now": "2026-12-01T10:00:00"},
        {},
        [],
        {"advance_s": 1, "offset_s": 2},
    ],
)
def test_the_clock_takes_only_sane_values_and_the_schedules_live_on(fixture_app, body):
    before = requests.get(f"{fixture_app.api_url}/_local/clock", timeout=5).json()["offset_s"]
    raw = json.dumps(body).replace("Infinity", "1e309")  # what a client sending 1e309 puts on the wire
    reply = requests.post(
        f"{fixture_app.api_url}/_local/clock",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert (reply.status_code, reply.json()["error"]["code"]) == (400, "bad_request")
    assert requests.get(f"{fixture_app.api_url}/_local/clock", timeout=5).json()["offset_s"] == before
    fired = requests.post(f"{fixture_app.api_url}/_local/schedules/TickFunction", timeout=10)
    assert fired.status_code == 200


def _raw_request(app, request: bytes) -> bytes:
    import socket
    from urllib.parse import urlsplit

    address = urlsplit(app.api_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1.5"])
def test_a_malformed_content_length_is_a_400_not_a_dropped_connection(fixture_app, length):
    answer = _raw_request(
        fixture_app,
        b"POST /public/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + length
        + b"\r\nConnection: close\r\n\r\n{}",
    )
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"Content-Length is not a length" in answer


def test_a_chunked_body_arrives_whole_and_a_malformed_one_is_a_400(fixture_app):
    chunked = b'6\r\n{"a": \r\n3\r\n42}\r\n0\r\n\r\n'
    answer = _raw_request(
        fixture_app,
        b"POST /public/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked,
    )
    assert answer.startswith(b"HTTP/1.1 200")
    echoed = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert json.loads(echoed["event"]["body"]) == {"a": 42}
    broken = _raw_request(
        fixture_app,
        b"POST /public/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\nzz\r\n",
    )
    assert broken.startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT"])
def test_an_unknown_http_method_is_a_404_not_a_501(fixture_app, method):
    response = requests.request(method, f"{fixture_app.api_url}/public/echo", timeout=5)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "route_not_found")
