"""`make bench-iot`: telemetry ingestion on the local runtime.

1. Throughput: bursts of messages published to the MQTT broker as fast as a client can, through the
   template's IoT rule to `IngestTelemetryFunction` (asynchronous invocations, concurrent and unordered
   as in AWS) — messages per second until every invocation has finished, the outcomes, and the check
   that the machines' reading counts equal what was published (each message counted exactly once).
2. Cost: the handler in this process against the same moto, AWS calls per message for messages that
   arrive in order, and for a shuffled burst with redeliveries from concurrent threads.

Not a test: figures depend on the machine. The README records a run on the 2-core dev machine.
    BENCH_IOT_MESSAGES=5000 make bench-iot
"""

from __future__ import annotations

import io
import json
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import requests

from bench.harness import LambdaContext, free_port, in_process, login_token, write_result
from fitconnect_local.runtime import LocalRuntime, Ports

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = int(os.environ.get("BENCH_IOT_MESSAGES", "2000"))
MACHINES = 10
INGEST = "IngestTelemetryFunction"


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


class Outcomes:
    """The ingest function's results, as the runtime's async invocations finish them."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        real_invoke = runtime.invoke

        def invoke(function_id: str, event: Any) -> Any:
            outcome = real_invoke(function_id, event)
            if function_id == INGEST:
                with self._lock:
                    self.counts[
                        (outcome.result or {}).get("outcome", "error") if outcome.ok else "error"
                    ] += 1
            return outcome

        runtime.invoke = invoke  # type: ignore[method-assign]

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())


def throughput(runtime: LocalRuntime, token: str, machine_ids: list[str]) -> list[str]:
    outcomes = Outcomes(runtime)
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
        client.publish(f"fitconnect/equipment/{machine_id}/telemetry", payload, qos=1)
    published_s = time.perf_counter() - started
    while outcomes.total() < len(payloads) and time.perf_counter() - started < 600:
        time.sleep(0.05)
    done_s = time.perf_counter() - started
    client.loop_stop()
    client.disconnect()
    headers = {"authorization": f"Bearer {token}"}
    readings = sum(
        requests.get(f"{runtime.api_url}/equipment/{machine_id}", headers=headers, timeout=30).json()[
            "readings"
        ]
        for machine_id in machine_ids
    )
    return [
        f"- Broker → rule → function: {len(payloads)} messages from {len(machine_ids)} machines published "
        f"in {published_s:.1f} s, all processed in {done_s:.1f} s: "
        f"**{len(payloads) / done_s:.0f} messages/s** (function concurrency {runtime.max_concurrency}).",
        f"- Outcomes: {dict(sorted(outcomes.counts.items()))}; readings counted on the machines: "
        f"{readings} of {len(payloads)} published.",
    ]


def cost(runtime: LocalRuntime, machine_ids: list[str]) -> list[str]:
    spec = runtime.functions[INGEST]
    rows = []
    with in_process(runtime, spec) as (handler, calls):
        in_order = [telemetry(machine_ids[0], 10_000 + second) for second in range(200)]
        handler(in_order.pop(0), LambdaContext())  # warm-up: the first call creates clients
        calls.clear()
        started = time.perf_counter()
        for message in in_order:
            handler(message, LambdaContext())
        each_ms = (time.perf_counter() - started) * 1000 / len(in_order)
        own_ms = each_ms - calls["aws_seconds"] * 1000 / len(in_order)
        label = f"in order, one at a time ({each_ms:.1f} ms each, of which {own_ms:.1f} ms outside AWS calls)"
        rows.append(_per_message(label, calls, len(in_order)))

        calls.clear()
        burst = [telemetry(machine_ids[1], 20_000 + second) for second in range(400)]
        burst += random.sample(burst, 40)  # 10% delivered twice
        random.shuffle(burst)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = Counter(
                result["outcome"] for result in pool.map(lambda m: handler(m, LambdaContext()), burst)
            )
        rows.append(
            _per_message(f"shuffled burst, 8 threads, 10% redelivered {dict(results)}", calls, len(burst))
        )
    return rows


def _per_message(label: str, calls: Counter[str], messages: int) -> str:
    counts = sorted((name, count) for name, count in calls.items() if name != "aws_seconds")
    listed = ", ".join(f"{name} \N{MULTIPLICATION SIGN}{count / messages:.2f}" for name, count in counts)
    return f"- AWS calls per message, {label}: {listed}"


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
