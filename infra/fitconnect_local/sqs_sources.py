"""SQS event sources and EventBridge rule deliveries, polled as Lambda's pollers do.

An SQS source gathers up to `BatchSize` messages within `MaximumBatchingWindowInSeconds`,
invokes the function synchronously, and deletes what succeeded: with `ReportBatchItemFailures`
only the items not named in `batchItemFailures` (a malformed answer fails the whole batch, as on
AWS); without it, all or nothing. Failed messages are left alone: they come back after the
queue's visibility timeout, and moto moves them to the DLQ after `maxReceiveCount` receives.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from fitconnect_local.provision import RuleRoute
from fitconnect_local.template import REGION
from fitconnect_local.workers import Invocation

LONG_POLL_S = 1  # short enough to stop promptly, long enough to cost nothing while idle


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = {
        name: {
            "dataType": value["DataType"],
            **({"stringValue": value["StringValue"]} if "StringValue" in value else {}),
            **({"binaryValue": value["BinaryValue"]} if "BinaryValue" in value else {}),
            "stringListValues": [],
            "binaryListValues": [],
        }
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes") or {},
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def failed_message_ids(outcome: Invocation, batch_ids: list[str], report_failures: bool) -> set[str]:
    """Which messages of a batch count as failed after the function's answer."""
    everything = set(batch_ids)
    if not outcome.ok:
        return everything
    if not report_failures or not isinstance(outcome.result, dict):
        return set()
    failures = outcome.result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return everything
    failed = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in everything:
            return everything  # an answer naming no message of this batch fails it all
        failed.add(identifier)
    return failed


class SqsSource(threading.Thread):
    def __init__(
        self,
        *,
        function_id: str,
        queue_url: str,
        queue_arn: str,
        properties: dict[str, Any],
        sqs: Any,
        invoke: Callable[[str, Any], Invocation],
        stop: threading.Event,
    ) -> None:
        super().__init__(name=f"sqs:{function_id}", daemon=True)
        self.function_id = function_id
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.batch_size = int(properties.get("BatchSize", 10))
        self.window_s = float(properties.get("MaximumBatchingWindowInSeconds", 0))
        self.report_failures = "ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or [])
        self.enabled = properties.get("Enabled", True) is not False
        self.sqs = sqs
        self.invoke = invoke
        self.stop_event = stop

    def run(self) -> None:
        while self.enabled and not self.stop_event.is_set():
            try:
                batch = self._collect()
                if batch:
                    self._deliver(batch)
            except Exception as error:  # the runtime outlives a failing poll (e.g. during shutdown)
                if not self.stop_event.is_set():
                    print(f"[runtime] sqs poller {self.function_id}: {error}", flush=True)
                    time.sleep(1)

    def _receive(self, count: int, wait_s: int) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(10, count)),
            WaitTimeSeconds=wait_s,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages", [])

    def _collect(self) -> list[dict[str, Any]]:
        batch = self._receive(self.batch_size, LONG_POLL_S)
        deadline = time.monotonic() + self.window_s
        while batch and len(batch) < self.batch_size and time.monotonic() < deadline:
            more = self._receive(self.batch_size - len(batch), 0)
            if not more:
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            batch.extend(more)
        return batch

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        event = {"Records": [sqs_record(message, self.queue_arn) for message in batch]}
        outcome = self.invoke(self.function_id, event)
        failed = failed_message_ids(outcome, [m["MessageId"] for m in batch], self.report_failures)
        done = [m for m in batch if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(done[start : start + 10])
            ]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)


class RuleDelivery(threading.Thread):
    """Events a rule matched (sitting in its tap queue) → an asynchronous invocation each."""

    def __init__(
        self, route: RuleRoute, sqs: Any, invoke_async: Callable[[str, Any], None], stop: threading.Event
    ) -> None:
        super().__init__(name=f"rule:{route.rule_name}", daemon=True)
        self.route = route
        self.sqs = sqs
        self.invoke_async = invoke_async
        self.stop_event = stop

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                messages = self.sqs.receive_message(
                    QueueUrl=self.route.tap_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=LONG_POLL_S
                ).get("Messages", [])
                for message in messages:
                    self.invoke_async(self.route.function_id, self._payload(json.loads(message["Body"])))
                    self.sqs.delete_message(
                        QueueUrl=self.route.tap_queue_url, ReceiptHandle=message["ReceiptHandle"]
                    )
            except Exception as error:
                if not self.stop_event.is_set():
                    print(f"[runtime] rule {self.route.rule_name}: {error}", flush=True)
                    time.sleep(1)

    def _payload(self, event: dict[str, Any]) -> Any:
        if self.route.input is not None:
            return json.loads(self.route.input)
        if self.route.input_path:
            return json_path(event, self.route.input_path)
        return event


def json_path(document: Any, path: str) -> Any:
    """The subset of JSONPath EventBridge's InputPath uses: `$` and `$.a.b`."""
    if path == "$":
        return document
    if not path.startswith("$."):
        raise ValueError(f"unsupported InputPath {path}")
    for part in path[2:].split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document
