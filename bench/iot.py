"""`make bench-iot`: telemetry ingestion on the local runtime.

1. Throughput: a burst of messages published to the MQTT broker as fast as a client can, through the
   template's IoT rule onto the Kinesis stream and in batches to `IngestTelemetryFunction` —
   messages per second until the machines' reading counts equal what was published (each message
   counted exactly once), and the batches the poller made.
2. Cost: the handler in this process against the same moto, AWS calls per message for the batches
   of a fleet reporting every 5 s (shuffled within the batch), for a batch delivered again, and the
   size of a machine's item (what each write costs).

Not a test: figures depend on the machine. The README records a run on the 2-core dev machine.
    BENCH_IOT_MESSAGES=5000 make bench-iot
"""

from __future__ import annotations

import base64
import io
import json
import os
import random
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import requests

from bench.harness import LambdaContext, dynamodb_item_size, free_port, in_process, login_token, write_result
from fitconnect_local.provision import aws_client
from fitconnect_local.runtime import LocalRuntime, Ports

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = int(os.environ.get("BENCH_IOT_MESSAGES", "2000"))
MACHINES = 10
BATCH_WINDOW_S = 30  # the deployed MaximumBatchingWindowInSeconds (TelemetryBatchWindowSeconds)
INGEST = "IngestTelemetryFunction"
RULE = "fitconnect_local_telemetry"


def register_machines(runtime: LocalRuntime, token: str, count: int) -> list[str]:
    headers = {"authorization": f"Bearer {token}"}
    machine_ids = []
    for number in range(count):
        body = {
            "name": f"Bench rower {number}",
            "kind": "rower",
            "location": "Bench",
            "service_interval_hours": 500,
        }
        reply = requests.post(f"{runtime.api_url}/equipment", json=body, headers=headers, timeout=30)
        reply.raise_for_status()
        machine_ids.append(reply.json()["equipment_id"])
    return machine_ids


def telemetry(equipment_id: str, second: int) -> dict[str, Any]:
    """A machine's report `second` seconds into the burst (device time: one report per second)."""
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10) + timedelta(seconds=second)
    return {
        "equipment_id": equipment_id,
        "ts": moment.isoformat(),
        "in_use": second % 7 != 0,
        "usage_seconds": 1,
        "reps": 1,
        "temperature_c": 40 + random.gauss(0, 0.3),
        "vibration_rms": 0.8 + random.gauss(0, 0.02),
        "battery_pct": 90,
    }


class Batches:
    """The ingest function's invocations as the stream poller makes them: how many, of how many records."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self.sizes: list[int] = []
        self.retried = 0
        self._lock = threading.Lock()
        real_invoke = runtime.invoke

        def invoke(function_id: str, event: Any) -> Any:
            outcome = real_invoke(function_id, event)
            if function_id == INGEST:
                with self._lock:
                    self.sizes.append(len(event.get("Records") or []))
                    self.retried += len((outcome.result or {}).get("batchItemFailures") or [])
            return outcome

        runtime.invoke = invoke  # type: ignore[method-assign]


def readings(runtime: LocalRuntime, token: str, machine_ids: list[str]) -> int:
    headers = {"authorization": f"Bearer {token}"}
    return sum(
        requests.get(f"{runtime.api_url}/equipment/{machine_id}", headers=headers, timeout=30).json()[
            "readings"
        ]
        for machine_id in machine_ids
    )


def throughput(runtime: LocalRuntime, token: str, machine_ids: list[str]) -> list[str]:
    batches = Batches(runtime)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fitconnect-bench-iot")
    client.connect("127.0.0.1", runtime.ports.mqtt)
    client.loop_start()
    per_machine = MESSAGES // len(machine_ids)
    payloads = [
        (machine_id, json.dumps(telemetry(machine_id, second)).encode())
        for second in range(per_machine)
        for machine_id in machine_ids
    ]
    started = time.perf_counter()
    for machine_id, payload in payloads:
        # Through the rule's Basic Ingest topic, as enrolled devices publish (see enrolment).
        client.publish(f"$aws/rules/{RULE}/fitconnect/equipment/{machine_id}/telemetry", payload, qos=1)
    published_s = time.perf_counter() - started
    counted = 0
    while counted < len(payloads) and time.perf_counter() - started < 600:
        time.sleep(0.5)
        counted = readings(runtime, token, machine_ids)
    done_s = time.perf_counter() - started
    client.loop_stop()
    client.disconnect()
    sizes = batches.sizes or [0]
    return [
        f"- Broker → rule → stream → function: {len(payloads)} messages from {len(machine_ids)} machines "
        f"published in {published_s:.1f} s, all counted on the machines in {done_s:.1f} s: "
        f"**{len(payloads) / done_s:.0f} messages/s**.",
        f"- {len(batches.sizes)} invocations of the ingest function (batches of {min(sizes)} to {max(sizes)} "
        f"records, median {statistics.median(sizes):.0f}); records reported for a retry: {batches.retried}; "
        f"readings counted on the machines: {counted} of {len(payloads)} published.",
    ]


def kinesis_event(messages: list[dict[str, Any]], first_sequence: int) -> dict[str, Any]:
    return {
        "Records": [
            {
                "kinesis": {
                    "sequenceNumber": str(first_sequence + n),
                    "partitionKey": message["equipment_id"],
                    "data": base64.b64encode(json.dumps(message).encode()).decode(),
                },
                "eventID": f"shardId-000000000000:{first_sequence + n}",
            }
            for n, message in enumerate(messages)
        ]
    }


def cost(runtime: LocalRuntime, machine_ids: list[str]) -> list[str]:
    """AWS calls per message for the fleet's batches: each machine reports every 5 s and a batch
    gathers BATCH_WINDOW_S of the stream (six reports per machine at the deployed 30 s)."""
    spec = runtime.functions[INGEST]
    rows = []
    per_machine = BATCH_WINDOW_S // 5
    with in_process(runtime, spec) as (handler, calls):
        handler(kinesis_event([telemetry(machine_ids[0], 0)], 0), LambdaContext())  # warm-up
        calls.clear()
        sent, started = 0, time.perf_counter()
        for window in range(20):
            batch = [
                telemetry(machine_id, 30_000 + window * BATCH_WINDOW_S + 5 * i)
                for machine_id in machine_ids
                for i in range(per_machine)
            ]
            random.shuffle(batch)
            handler(kinesis_event(batch, 1_000 + sent), LambdaContext())
            sent += len(batch)
        each_ms = (time.perf_counter() - started) * 1000 / sent
        label = (
            f"{len(machine_ids)} machines, {per_machine} reports each per batch, in any order "
            f"({each_ms:.2f} ms of handler time per message, against moto)"
        )
        rows.append(_per_message(label, calls, sent))
        calls.clear()
        retried = [telemetry(machine_ids[1], 60_000 + 5 * i) for i in range(60)]
        handler(kinesis_event(retried, 50_000), LambdaContext())
        calls.clear()
        handler(kinesis_event(retried, 50_000), LambdaContext())  # Lambda retries the same batch
        rows.append(_per_message("a batch delivered again (nothing to write)", calls, len(retried)))
    size = item_size(runtime, machine_ids[0])
    rows.append(f"- A machine's item after these batches (20 of its messages at 5 s): {size} bytes.")
    return rows


def item_size(runtime: LocalRuntime, machine_id: str) -> int:
    """Attribute names plus values, as DynamoDB sizes an item (numbers ~1 byte per 2 digits)."""
    import boto3

    del boto3
    table = next(
        t
        for t in aws_client("dynamodb", runtime.aws_endpoint).list_tables()["TableNames"]
        if "inventory" in t
    )
    item = aws_client("dynamodb", runtime.aws_endpoint).get_item(
        TableName=table, Key={"pk": {"S": f"EQUIP#{machine_id}"}, "sk": {"S": "EQUIP"}}
    )["Item"]
    return dynamodb_item_size(item)


def _per_message(label: str, calls: Counter[str], messages: int) -> str:
    counts = sorted((name, count) for name, count in calls.items() if name != "aws_seconds")
    listed = ", ".join(f"{name} \N{MULTIPLICATION SIGN}{count / messages:.3f}" for name, count in counts)
    return f"- AWS calls per message, {label}: {listed or 'none'}"


def main() -> None:
    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port())
    runtime = LocalRuntime(ROOT / "template.yaml", ports, out=io.StringIO())
    runtime.start()
    try:
        token = login_token(runtime, "admin@fitconnect.local")
        machine_ids = register_machines(runtime, token, MACHINES)
        rows = [f"Local runtime up in {runtime.startup_s:.2f} s.", ""]
        rows += throughput(runtime, token, machine_ids)
        rows += cost(runtime, machine_ids)
    finally:
        runtime.stop()
    write_result("iot.md", "\n".join(rows))


if __name__ == "__main__":
    main()
