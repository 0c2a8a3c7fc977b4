"""`make bench-rush`: a class opens and everyone books at once, through the local gateway.

    RUSH_MEMBERS=200 RUSH_CAPACITY=100 make bench-rush

Registers N members and logs them in (not timed), then N threads book one free class of capacity C
at the same moment (a barrier), each over its own connection. Reports wall time, p50/p99, the
statuses and connection errors, and checks the invariants: exactly C confirmed, no more than C
seats taken, the waitlist positions 1..N-C each once. Not a test: figures depend on the machine.
"""

from __future__ import annotations

import io
import os
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from bench.harness import free_port, login_token, memory_line, write_result
from fitconnect_local.runtime import LocalRuntime, Ports

ROOT = Path(__file__).resolve().parent.parent
MEMBERS = int(os.environ.get("RUSH_MEMBERS", "200"))
CAPACITY = int(os.environ.get("RUSH_CAPACITY", "100"))
PASSWORD = "rush-password-123"
CONFLICT_SHARE = float(os.environ.get("RUSH_CONFLICTS", "0.2"))


SIGN_UP_CLIENTS = 4  # concurrent clients registering, then logging in


def _in_parallel(count: int, step: Any) -> float:
    """Run `step(n)` for n in 0..count-1 from SIGN_UP_CLIENTS threads; the wall time in seconds."""
    began = time.perf_counter()
    threads = [
        threading.Thread(target=lambda first=first: [step(n) for n in range(first, count, SIGN_UP_CLIENTS)])
        for first in range(SIGN_UP_CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began


def members(runtime: LocalRuntime, count: int) -> tuple[list[str], dict[str, float]]:
    """Access tokens of `count` new members, registered and then logged in by SIGN_UP_CLIENTS
    concurrent clients, and the rates of each (per second, through the gateway)."""
    stamp = time.time_ns()
    emails = [f"rush-{n}-{stamp}@example.com" for n in range(count)]
    tokens: list[str] = [""] * count

    def register(n: int) -> None:
        body = {"email": emails[n], "password": PASSWORD, "name": f"Rusher {n}"}
        requests.post(f"{runtime.api_url}/auth/register", json=body, timeout=60).raise_for_status()

    def login(n: int) -> None:
        tokens[n] = login_token(runtime, emails[n], PASSWORD)

    registering_s = _in_parallel(count, register)
    logging_in_s = _in_parallel(count, login)
    return tokens, {"registrations_per_s": count / registering_s, "logins_per_s": count / logging_in_s}


def argon2_ms() -> float:
    """One argon2id hash at the parameters the platform uses (a registration hashes once, a login
    verifies once, which costs the same), in this process: most of a sign-up's time."""
    from fitconnect.identity import passwords

    began = time.perf_counter()
    for _ in range(10):
        passwords.hash_password(PASSWORD)
    return (time.perf_counter() - began) * 100


def new_class(runtime: LocalRuntime, capacity: int) -> str:
    trainer = login_token(runtime, "trainer@fitconnect.local")
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    body = {
        "title": "Opening rush",
        "starts_at": starts.isoformat().replace("+00:00", "Z"),
        "duration_min": 45,
        "capacity": capacity,
        "price_cents": 0,
        "currency": "usd",
        "kind": "in_person",
        "location": "Main hall",
    }
    reply = requests.post(
        f"{runtime.api_url}/sessions", json=body, headers={"Authorization": f"Bearer {trainer}"}, timeout=30
    )
    reply.raise_for_status()
    return reply.json()["session_id"]


def rush(runtime: LocalRuntime, session_id: str, tokens: list[str]) -> dict[str, Any]:
    barrier = threading.Barrier(len(tokens))
    results: list[tuple[float, int | str, dict[str, Any]]] = []
    lock = threading.Lock()

    def book(token: str) -> None:
        session = requests.Session()
        barrier.wait()
        started = time.perf_counter()
        try:
            reply = session.post(
                f"{runtime.api_url}/sessions/{session_id}/bookings",
                headers={"Authorization": f"Bearer {token}"},
                timeout=120,
            )
            outcome: tuple[int | str, dict[str, Any]] = (reply.status_code, reply.json())
        except requests.RequestException as error:
            outcome = (type(error).__name__, {})
        with lock:
            results.append(((time.perf_counter() - started) * 1000, *outcome))

    threads = [threading.Thread(target=book, args=(token,)) for token in tokens]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"wall_s": time.perf_counter() - began, "results": results}


def invariants(runtime: LocalRuntime, session_id: str, results: list[Any], capacity: int) -> list[str]:
    bodies = [body for _, status, body in results if status == 201]
    confirmed = [body for body in bodies if body.get("status") == "confirmed"]
    positions = sorted(body.get("position") for body in bodies if body.get("status") == "waitlisted")
    session = requests.get(f"{runtime.api_url}/sessions/{session_id}", timeout=30).json()
    waiting = len(results) - capacity
    return [
        f"confirmed {len(confirmed)} (capacity {capacity}): "
        + ("ok" if len(confirmed) == capacity else "WRONG"),
        f"seats left {session.get('seats_left')}: " + ("ok" if session.get("seats_left") == 0 else "WRONG"),
        f"waitlist positions 1..{waiting} each once: "
        + ("ok" if positions == list(range(1, waiting + 1)) else f"WRONG {positions[:5]}…"),
    ]


def described(runtime: LocalRuntime, session_id: str, outcome: dict[str, Any]) -> list[str]:
    results = outcome["results"]
    timings = sorted(ms for ms, _, _ in results)
    statuses = Counter(str(status) for _, status, _ in results)
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    return [
        f"- wall time: {outcome['wall_s']:.1f} s ({len(results) / outcome['wall_s']:.0f} bookings/s)",
        f"- per request: p50 {statistics.median(timings) / 1000:.2f} s, p99 {p99 / 1000:.2f} s",
        f"- statuses: {dict(sorted(statuses.items()))}",
        *[f"- {line}" for line in invariants(runtime, session_id, results, CAPACITY)],
    ]


def conflicts(runtime: LocalRuntime, share: float) -> dict[str, Any]:
    """Set the share of DynamoDB writes the local moto answers with DynamoDB's conflicts."""
    reply = requests.put(
        f"{runtime.aws_endpoint}/_fitconnect/conflicts", json={"share": share, "seed": 20}, timeout=10
    )
    reply.raise_for_status()
    return reply.json()


def main() -> None:
    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port())
    runtime = LocalRuntime(ROOT / "template.yaml", ports, out=io.StringIO())
    runtime.start()
    try:
        tokens, sign_up = members(runtime, MEMBERS)
        session_id = new_class(runtime, CAPACITY)
        quiet = described(runtime, session_id, rush(runtime, session_id, tokens))
        # The same crowd books a second class while a share of the writes meet DynamoDB's conflicts.
        contended_id = new_class(runtime, CAPACITY)
        conflicts(runtime, CONFLICT_SHARE)
        contended = described(runtime, contended_id, rush(runtime, contended_id, tokens))
        injected = requests.get(f"{runtime.aws_endpoint}/_fitconnect/conflicts", timeout=10).json()
        conflicts(runtime, 0.0)
        rows = [
            f"{MEMBERS} members book one class of {CAPACITY} at once through the local gateway "
            f"({os.cpu_count()} cores, local function concurrency {runtime.max_concurrency}).",
            "",
            *quiet,
            "",
            f"The same members book a second class of {CAPACITY} while {CONFLICT_SHARE:.0%} of DynamoDB "
            f"writes are answered with DynamoDB's conflict ({injected['injected']} injected):",
            "",
            *contended,
            "",
            f"Before it, {SIGN_UP_CLIENTS} clients registered the {MEMBERS} members at "
            f"{sign_up['registrations_per_s']:.1f}/s, then logged them in at "
            f"{sign_up['logins_per_s']:.1f}/s; "
            f"one argon2id hash (19 MiB, 2 passes, OWASP's baseline) takes {argon2_ms():.0f} ms here, "
            "and a registration hashes once, a login verifies once.",
            "",
            memory_line(runtime, "at the end"),
        ]
    finally:
        runtime.stop()
    write_result("rush.md", "\n".join(rows))


if __name__ == "__main__":
    main()
