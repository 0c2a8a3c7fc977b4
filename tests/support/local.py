"""Start a LocalRuntime on free ports for a test session, and small helpers to talk to it."""

from __future__ import annotations

import io
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import boto3

from fitconnect_local.runtime import LocalRuntime, Ports


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The test session's one runtime meets most of the platform's functions, module after module: with
# `make run`'s budget of 12 workers most calls would be cold starts. The budget's own behaviour is a
# unit test (tests/unit/test_local_runtime_parts.py); here every function stays warm, as before.
TEST_WORKER_BUDGET = 64


def start_runtime(template_path, **options: Any) -> LocalRuntime:
    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port(), strava=free_port())
    options.setdefault("max_workers", TEST_WORKER_BUDGET)
    runtime = LocalRuntime(template_path, ports, out=io.StringIO(), **options)
    runtime.start()
    return runtime


def aws(runtime: LocalRuntime, service: str):
    return boto3.client(
        service,
        endpoint_url=runtime.aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def eventually(check: Callable[[], Any], *, timeout_s: float = 15, interval_s: float = 0.2) -> Any:
    """Poll until `check` returns something truthy (asynchronous paths: queues, rules, webhooks) and
    return it; fail the test when it never does — a call whose result is dropped still asserts."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_s} s (last: {result!r})")
        time.sleep(interval_s)


def iam_refusals(runtime: LocalRuntime) -> list[str]:
    """Every AWS call the runtime refused because a function's role did not allow it."""
    return [f"{name}: {line}" for name, lines in runtime.logs.items() for line in lines if "[iam]" in line]


def invocations(api: Any, function_id: str) -> int:
    """How often the runtime has invoked a function so far."""
    [found] = [f for f in api.get("/_local/functions").body["items"] if f["logical_id"] == function_id]
    return int(found["invocations"])


def worked_off(runtime: LocalRuntime, api: Any, function_id: str, queue: str, since: int) -> bool:
    """The positive signal an absence check waits for: `function_id` has run since it had `since`
    invocations, and its queue (logical id) holds nothing waiting, in flight or delayed."""
    return invocations(api, function_id) > since and drained(runtime, queue)


def drained(runtime: LocalRuntime, *queues: str) -> bool:
    """Whether each queue (logical id) holds nothing waiting, in flight or delayed."""
    sqs = aws(runtime, "sqs")
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    for queue in queues:
        url = runtime.template.owner(queue).physical[queue].ref
        counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
        if any(int(value) for value in counts.values()):
            return False
    return True


def sns_endpoints(sns: Any) -> list[dict[str, Any]]:
    """Every SNS platform endpoint, over every platform application (`sns`: a boto3 client)."""
    return [
        endpoint
        for application in sns.list_platform_applications()["PlatformApplications"]
        for endpoint in sns.list_endpoints_by_platform_application(
            PlatformApplicationArn=application["PlatformApplicationArn"]
        )["Endpoints"]
    ]


def archived(platform: LocalRuntime, detail_type: str, payment_or_booking_id: str) -> list[dict[str, Any]]:
    """Domain events of this type about this payment/booking, as the event archive stored them."""
    s3 = aws(platform, "s3")
    bucket = platform.template.physical["AnalyticsBucket"].ref
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="events/"):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read().decode()
            event = json.loads(body)
            if event["detail-type"] == detail_type and payment_or_booking_id in body:
                found.append(event)
    return found
