"""`make simulate`: the demo equipment reports telemetry to the local MQTT broker, as real machines would.

Each machine alternates between sessions of use and rest, with a temperature and vibration that
wander around its own level and a battery that slowly drains. One machine ("Rowing machine 2" by
default) drifts towards a fault after a while: its temperature and vibration climb, which
`GET /equipment/recommendations` names as an anomaly with its evidence.

    make simulate                         # every 5 s, until Ctrl-C
    python -m simulator --interval 1 --steps 120 --drifting "Spin bike 3"
    python -m simulator --machine "Treadmill 1" --machine "Rowing machine 2"   # only these
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
import requests


@dataclass
class Machine:
    equipment_id: str
    name: str
    drifting: bool
    temperature: float = field(default_factory=lambda: random.uniform(36, 42))
    vibration: float = field(default_factory=lambda: random.uniform(0.5, 1.0))
    battery: float = field(default_factory=lambda: random.uniform(60, 100))
    in_use: bool = False

    def reading(self, step: int, interval_s: float) -> dict[str, object]:
        if random.random() < 0.2:
            self.in_use = not self.in_use
        drift = max(0, step - 30) if self.drifting else 0  # from the 30th report, a slow climb
        self.battery = max(0.0, self.battery - 0.05)
        return {
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "in_use": self.in_use,
            "usage_seconds": interval_s if self.in_use else 0,
            "reps": random.randint(5, 20) if self.in_use else 0,
            "temperature_c": round(self.temperature + random.gauss(0, 0.3) + 0.4 * drift, 2),
            "vibration_rms": round(self.vibration + random.gauss(0, 0.03) + 0.02 * drift, 3),
            "battery_pct": round(self.battery, 1),
        }


def demo_machines(api_url: str, drifting_name: str, names: list[str]) -> list[Machine]:
    login = {"email": "admin@fitconnect.local", "password": "fitconnect-demo"}
    token = requests.post(f"{api_url}/auth/login", json=login, timeout=10).json()["access_token"]
    listed = requests.get(
        f"{api_url}/equipment?limit=100", headers={"authorization": f"Bearer {token}"}, timeout=10
    ).json()["items"]
    chosen = [item for item in listed if not names or item["name"] in names]
    return [Machine(item["equipment_id"], item["name"], item["name"] == drifting_name) for item in chosen]


def main() -> int:
    parser = argparse.ArgumentParser(description="Publish demo equipment telemetry to the local broker.")
    parser.add_argument("--api", default="http://127.0.0.1:3000")
    parser.add_argument("--mqtt-port", type=int, default=1883)
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between reports")
    parser.add_argument("--steps", type=int, default=0, help="stop after this many reports (0: never)")
    parser.add_argument("--drifting", default="Rowing machine 2", help="the machine that drifts to a fault")
    parser.add_argument("--machine", action="append", default=[], help="only this machine (repeatable)")
    parser.add_argument(
        "--rule",
        default="fitconnect_local_telemetry",
        help="publish through this rule's Basic Ingest topic, as devices do ('' for the plain topic)",
    )
    args = parser.parse_args()
    machines = demo_machines(args.api, args.drifting, args.machine)
    if not machines:
        print("No equipment registered: is `make run` up?", file=sys.stderr)
        return 1
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fitconnect-simulator")
    client.connect("127.0.0.1", args.mqtt_port)
    client.loop_start()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"Simulating {len(machines)} machines every {args.interval}s; drifting: {args.drifting}.")
    print("Ctrl-C stops.")
    step = 0
    while not stopping and (not args.steps or step < args.steps):
        step += 1
        for machine in machines:
            payload = json.dumps(machine.reading(step, args.interval))
            topic = f"fitconnect/equipment/{machine.equipment_id}/telemetry"
            client.publish(f"$aws/rules/{args.rule}/{topic}" if args.rule else topic, payload, qos=1)
        time.sleep(args.interval)
    client.loop_stop()
    client.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
