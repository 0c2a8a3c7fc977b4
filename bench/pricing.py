"""`make bench-pricing`: what a booking covered by a class-pack credit costs, next to a free one —
AWS calls per booking and handler p50 (aim: the same budget, one read, one transaction, one event
put). Each booking is by a new member holding a pack, of a roomy priced session.

    PRICING_SAMPLES=100 make bench-pricing

The handler is called in this process against the local runtime's moto (bench/harness.py), every
AWS call counted. Not a test: latencies depend on the machine.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from bench.harness import LambdaContext, free_port, in_process, login_token, write_result
from fitconnect_local.runtime import LocalRuntime, Ports

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = int(os.environ.get("PRICING_SAMPLES", "100"))  # the class holds 500


def _new_session(runtime: LocalRuntime, token: str, price_cents: int) -> str:
    """A roomy class of the demo trainer's, through the API."""
    body = {
        "title": "Bench class",
        "starts_at": (datetime.now(UTC) + timedelta(days=200)).strftime("%Y-%m-%dT10:00:00Z"),
        "duration_min": 45,
        "capacity": 500,
        "price_cents": price_cents,
        "currency": "usd",
        "kind": "in_person",
        "location": "Bench",
    }
    headers = {"authorization": f"Bearer {token}"}
    reply = requests.post(f"{runtime.api_url}/sessions", json=body, headers=headers, timeout=30)
    reply.raise_for_status()
    return str(reply.json()["session_id"])


def _pack_holder(user_id: str) -> None:
    """A wallet with one 10-credit pack (what a paid purchase's webhook grants)."""
    from fitconnect.platform import clock
    from fitconnect.pricing.models import Wallet

    expires = clock.to_iso(clock.now() + timedelta(days=365))
    entry = {
        "entitlement_id": f"pack-{user_id}",
        "purchase_id": f"pack-{user_id}",
        "product_id": "bench-pack",
        "name": "Bench pack",
        "kind": "class_pack",
        "session_kinds": [],
        "status": "active",
        "revision": 0,
        "created_at": clock.now_iso(),
        "credits_total": 10,
        "credits_left": 10,
        "expires_at": expires,
    }
    Wallet(*Wallet.key(user_id), user_id=user_id, entitlements={entry["entitlement_id"]: entry}).save()


def _booking(session_id: str, user_id: str) -> dict[str, Any]:
    event = json.loads((ROOT / "events" / "scheduling" / "CreateBookingFunction.json").read_text())
    path = f"/sessions/{session_id}/bookings"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["pathParameters"] = {"session_id": session_id}
    event["headers"].pop("idempotency-key", None)
    event["requestContext"]["authorizer"]["lambda"]["user_id"] = user_id
    return event


def bookings(
    runtime: LocalRuntime, token: str, *, covered: bool
) -> tuple[list[float], dict[str, float], set[str]]:
    session_id = _new_session(runtime, token, 2000 if covered else 0)
    with in_process(runtime, runtime.functions["CreateBookingFunction"]) as (handler, calls):
        members = [f"bench-{'pack' if covered else 'free'}-{i}-{time.time_ns()}" for i in range(SAMPLES + 1)]
        if covered:
            for user_id in members:
                _pack_holder(user_id)
        handler(_booking(session_id, members[0]), LambdaContext())  # warm-up
        calls.clear()
        timings, states = [], set()
        for user_id in members[1:]:
            started = time.perf_counter()
            reply = handler(_booking(session_id, user_id), LambdaContext())
            timings.append((time.perf_counter() - started) * 1000)
            body = json.loads(reply["body"])
            states.add(
                f"{reply['statusCode']} {body['status']}{' covered' if body.get('covered_by') else ''}"
            )
        calls.pop("aws_seconds", None)
        return timings, {name: round(count / SAMPLES, 2) for name, count in sorted(calls.items())}, states


def main() -> None:
    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port())
    runtime = LocalRuntime(ROOT / "template.yaml", ports, out=io.StringIO())
    runtime.start()
    token = login_token(runtime, "trainer@fitconnect.local")
    rows = ["| booking | answers | handler p50 / p99 | AWS calls per booking |", "|---|---|---|---|"]
    try:
        for label, covered in (("free session", False), ("covered by a pack credit", True)):
            timings, calls, states = bookings(runtime, token, covered=covered)
            ordered = sorted(timings)
            p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
            listed = ", ".join(f"{name} {count:g}" for name, count in calls.items())
            rows.append(
                f"| {label} | {', '.join(sorted(states))} | {statistics.median(timings):.1f} / {p99:.1f} ms "
                f"| {listed} |"
            )
    finally:
        runtime.stop()
    write_result("pricing.md", "\n".join(rows))


if __name__ == "__main__":
    main()
