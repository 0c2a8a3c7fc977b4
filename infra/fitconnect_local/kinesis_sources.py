"""Kinesis event sources, polled as Lambda's stream pollers do (one poller per shard).

A poller reads its shard from `StartingPosition`, gathers up to `BatchSize` records within
`MaximumBatchingWindowInSeconds` and invokes the function synchronously, one batch at a time, so a
shard's records are processed in order. The answer decides what happens next, as on AWS:
- success: the shard's checkpoint moves past the batch;
- `batchItemFailures` (with `ReportBatchItemFailures`): the checkpoint moves to the first failed
  record and the batch is retried from there; an answer naming no record of the batch, or a
  malformed one, fails the whole batch;
- an error: the batch is retried; with `BisectBatchOnFunctionError` it is split in two first.
A batch that keeps failing past `MaximumRetryAttempts` (or whose records are older than
`MaximumRecordAgeInSeconds`) is described to the `OnFailure` destination (an SQS queue) and
skipped. Not implemented: ParallelizationFactor, tumbling windows, enhanced fan-out (refused at
start by the template checks).
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fitconnect_local.template import REGION
from fitconnect_local.workers import Invocation

IDLE_POLL_S = 0.2  # an empty shard is read five times a second (AWS: about once a second)


def kinesis_record(record: dict[str, Any], shard_id: str, stream_arn: str, role_arn: str) -> dict[str, Any]:
    arrived = record["ApproximateArrivalTimestamp"]
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": record["PartitionKey"],
            "sequenceNumber": record["SequenceNumber"],
            "data": base64.b64encode(record["Data"]).decode(),
            "approximateArrivalTimestamp": arrived.timestamp() if isinstance(arrived, datetime) else arrived,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{record['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": REGION,
        "eventSourceARN": stream_arn,
    }


def first_failure(outcome: Invocation, sequence_numbers: list[str], report_failures: bool) -> int | None:
    """The index in the batch from which it must be retried, or None when it all succeeded."""
    if not outcome.ok:
        return 0
    if not report_failures or not isinstance(outcome.result, dict):
        return None
    failures = outcome.result.get("batchItemFailures")
    if failures is None or failures == []:
        return None
    if not isinstance(failures, list):
        return 0
    positions = {number: index for index, number in enumerate(sequence_numbers)}
    indexes = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in positions:
            return 0  # an answer naming no record of this batch fails it all
        indexes.append(positions[identifier])
    return min(indexes)


class KinesisShardSource(threading.Thread):
    def __init__(
        self,
        *,
        function_id: str,
        stream_name: str,
        stream_arn: str,
        shard_id: str,
        properties: dict[str, Any],
        role_arn: str,
        kinesis: Any,
        sqs: Any,
        queue_url_of: Callable[[str], str],
        invoke: Callable[[str, Any], Invocation],
        log: Callable[[str], None],
        stop: threading.Event,
    ) -> None:
        super().__init__(name=f"kinesis:{function_id}:{shard_id}", daemon=True)
        self.function_id, self.stream_name, self.stream_arn = function_id, stream_name, stream_arn
        self.shard_id, self.role_arn = shard_id, role_arn
        self.batch_size = int(properties.get("BatchSize", 100))
        self.window_s = float(properties.get("MaximumBatchingWindowInSeconds", 0))
        self.report_failures = "ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or [])
        self.bisect = bool(properties.get("BisectBatchOnFunctionError", False))
        self.max_retries = int(properties.get("MaximumRetryAttempts", -1))  # -1: until the records expire
        self.max_age_s = int(properties.get("MaximumRecordAgeInSeconds", -1))
        on_failure = (properties.get("DestinationConfig") or {}).get("OnFailure") or {}
        self.on_failure_arn = on_failure.get("Destination")
        self.starting_position = str(properties.get("StartingPosition", "LATEST"))
        self.enabled = properties.get("Enabled", True) is not False
        self.kinesis, self.sqs, self.queue_url_of = kinesis, sqs, queue_url_of
        self.invoke, self.log, self.stop_event = invoke, log, stop
        self.pending: list[dict[str, Any]] = []  # read, not yet processed (the checkpoint is before them)
        self.failed_batches = 0

    def run(self) -> None:
        iterator = None
        while self.enabled and not self.stop_event.is_set():
            try:
                if iterator is None:
                    iterator = self.kinesis.get_shard_iterator(
                        StreamName=self.stream_name,
                        ShardId=self.shard_id,
                        ShardIteratorType=self.starting_position,
                    )["ShardIterator"]
                iterator = self._read(iterator)
                if self.pending and self._batch_due():
                    self._process(self.pending[: self.batch_size])
                elif not self.pending:
                    time.sleep(IDLE_POLL_S)
            except Exception as error:  # the runtime outlives a failing poll (e.g. during shutdown)
                if not self.stop_event.is_set():
                    self.log(f"[runtime] kinesis poller {self.function_id} {self.shard_id}: {error}")
                    time.sleep(1)

    def _read(self, iterator: str) -> str:
        if len(self.pending) >= self.batch_size:
            return iterator
        answer = self.kinesis.get_records(ShardIterator=iterator, Limit=min(10_000, self.batch_size))
        if answer["Records"] and not self.pending:
            self.window_started = time.monotonic()
        self.pending.extend(answer["Records"])
        if not answer["Records"] and self.pending:
            time.sleep(min(IDLE_POLL_S, max(0.0, self._window_left())))
        return answer["NextShardIterator"]

    def _window_left(self) -> float:
        return self.window_s - (time.monotonic() - self.window_started)

    def _batch_due(self) -> bool:
        return len(self.pending) >= self.batch_size or self._window_left() <= 0

    def _process(self, batch: list[dict[str, Any]]) -> None:
        """Deliver `batch` until it is through or handed to the on-failure destination; the records
        read after it stay pending. A failure retries from the first record not processed, the
        retries counted until a chunk goes through whole; an error halves the chunk (bisect)."""
        attempts, size = 0, len(batch)
        while batch and not self.stop_event.is_set():
            if self._too_old(batch):
                self._skip(batch, "RecordAgeExceeded")
                return
            chunk = batch[:size]
            outcome = self.invoke(self.function_id, self._event(chunk))
            numbers = [record["SequenceNumber"] for record in chunk]
            failed_at = first_failure(outcome, numbers, self.report_failures)
            if failed_at is None:
                self._checkpoint(len(chunk))
                batch, attempts = batch[len(chunk) :], 0
                continue
            self._checkpoint(failed_at)
            batch, attempts = batch[failed_at:], attempts + 1
            if not outcome.ok and self.bisect:
                size = max(1, (len(chunk) - failed_at) // 2)
            if 0 <= self.max_retries < attempts:
                given_up = chunk[failed_at:]
                self._skip(given_up, "RetryAttemptsExhausted")
                batch, attempts, size = batch[len(given_up) :], 0, len(batch) - len(given_up)

    def _event(self, chunk: list[dict[str, Any]]) -> dict[str, Any]:
        return {"Records": [kinesis_record(r, self.shard_id, self.stream_arn, self.role_arn) for r in chunk]}

    def _checkpoint(self, processed: int) -> None:
        self.pending = self.pending[processed:]

    def _too_old(self, batch: list[dict[str, Any]]) -> bool:
        if self.max_age_s < 0:
            return False
        arrived = batch[0]["ApproximateArrivalTimestamp"]
        moment = arrived.timestamp() if isinstance(arrived, datetime) else float(arrived)
        return time.time() - moment > self.max_age_s

    def _skip(self, records: list[dict[str, Any]], condition: str) -> None:
        """Past `records` (at the front of the pending ones), described to the on-failure destination
        as Lambda does."""
        self.failed_batches += 1
        self._checkpoint(len(records))
        self.log(f"[runtime] {self.function_id}: a batch of {len(records)} records skipped ({condition})")
        if not self.on_failure_arn:
            return
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        description = {
            "requestContext": {
                "requestId": f"{self.shard_id}:{records[0]['SequenceNumber']}",
                "functionArn": self.function_id,
                "condition": condition,
                "approximateInvokeCount": 1 + max(0, self.max_retries),
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": now,
            "KinesisBatchInfo": {
                "shardId": self.shard_id,
                "startSequenceNumber": records[0]["SequenceNumber"],
                "endSequenceNumber": records[-1]["SequenceNumber"],
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        self.sqs.send_message(
            QueueUrl=self.queue_url_of(self.on_failure_arn), MessageBody=json.dumps(description)
        )
