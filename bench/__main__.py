"""`make bench`: per function, cold init and warm latency through the local runtime, against
calling the handler directly in-process, plus the AWS API calls one invocation makes.

Not a test: figures depend on the machine. The README records a run on the 2-core dev machine.
    BENCH_WARM=500 make bench      # more warm samples
    BENCH_ONLY=SendNotificationsFunction,RegisterDeviceFunction make bench   # only these rows
    make bench-cold                # only cold starts, each as a ratio to a bare boto3 handler

Cold init is measured in a fresh worker of the local runtime (true cold: a new interpreter that
imports the handler), next to a bare handler that imports boto3 and makes one client, measured the
same way in the same run, so the ratio holds across machines better than the milliseconds do.
The first invocation's duration is shown too: work deferred out of the import is paid there.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from bench.harness import LambdaContext, free_port, in_process, login_token, memory_line, write_result
from fitconnect_local.functions import FunctionSpec
from fitconnect_local.runtime import LocalRuntime, Ports
from fitconnect_local.workers import FunctionPool

ROOT = Path(__file__).resolve().parent.parent
COLD_SAMPLES = int(os.environ.get("BENCH_COLD", "5"))
WARM_SAMPLES = int(os.environ.get("BENCH_WARM", "200"))
MEASURED = ROOT / "bench" / "measured.json"  # AWS calls per invocation, read by `make cost`
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}


def _sample(function_id: str) -> dict[str, Any]:
    [path] = [p for p in sorted((ROOT / "events").rglob("*.json")) if p.name == f"{function_id}.json"]
    return json.loads(path.read_text())


def _percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def one_cold_start(runtime: LocalRuntime, spec: FunctionSpec, event: Any) -> tuple[float, float]:
    """A fresh worker's cold init and its first invocation's duration (ms)."""
    pool = FunctionPool(
        spec,
        runtime._function_environment(spec),
        emit=lambda *_: None,
        clock_offset=lambda: 0.0,
        max_concurrency=1,
    )
    outcome = pool.invoke(event)
    pool.close()
    return outcome.init_ms or 0.0, outcome.duration_ms


def cold_init_ms(runtime: LocalRuntime, spec: FunctionSpec, event: Any) -> float:
    """The median cold init over COLD_SAMPLES fresh workers."""
    return statistics.median(one_cold_start(runtime, spec, event)[0] for _ in range(COLD_SAMPLES))


@dataclasses.dataclass(frozen=True)
class PairedColdStarts:
    """COLD_SAMPLES cold starts of a function, each right after one of the bare handler."""

    inits: list[float]
    firsts: list[float]
    bare_inits: list[float]

    @property
    def ratio(self) -> float:
        """The median of the pairs' ratios. This machine's speed drifts by a third within minutes;
        the two starts of a pair are a second apart and see the same machine."""
        return statistics.median(init / bare for init, bare in zip(self.inits, self.bare_inits, strict=True))


def paired_cold_starts(
    runtime: LocalRuntime, spec: FunctionSpec, event: Any, bare: FunctionSpec
) -> PairedColdStarts:
    """`spec`'s cold starts alternating with the bare handler's, so both see the same machine."""
    pairs = PairedColdStarts([], [], [])
    for _ in range(COLD_SAMPLES):
        pairs.bare_inits.append(one_cold_start(runtime, bare, {})[0])
        init, first = one_cold_start(runtime, spec, event)
        pairs.inits.append(init)
        pairs.firsts.append(first)
    return pairs


BARE_HANDLER = """import boto3

_table = boto3.client("dynamodb")


def handler(event, context):
    return {}
"""


def bare_spec(like: FunctionSpec, folder: Path) -> FunctionSpec:
    """A handler that imports boto3 and makes one client, with `like`'s layers and runtime: the
    yardstick of a cold start (a function can hardly start faster and still call AWS)."""
    (folder / "bare.py").write_text(BARE_HANDLER)
    return dataclasses.replace(
        like, logical_id="BareHandler", code_dir=folder, handler="bare.handler", events=[]
    )


# Samples that would destroy the demo user they run as get a throwaway member instead.
DESTRUCTIVE = {"DeleteMeFunction", "LogoutFunction"}  # a logout ends the login it is made with


def throwaway_token(runtime: LocalRuntime) -> str:
    email, password = f"bench-{time.time_ns()}@example.com", "bench-password-123"
    body = {"email": email, "password": password, "name": "Bench"}
    requests.post(f"{runtime.api_url}/auth/register", json=body, timeout=30).raise_for_status()
    return login_token(runtime, email, password)


def warm_via_runtime(
    runtime: LocalRuntime, spec: FunctionSpec, event: Any, token: str | None
) -> tuple[list[float], Counter[int]]:
    """The sample replayed over HTTP (through the authorizer, as a demo user) or invoked directly."""
    session = requests.Session()
    http = spec.logical_id in http_functions(runtime)
    timings, statuses = [], Counter()
    headers = {k: v for k, v in (event.get("headers") or {}).items() if k not in {"host", "content-length"}}
    if token:
        headers["authorization"] = f"Bearer {token}"
    for attempt in range(WARM_SAMPLES + 1):  # the first call starts the pool's worker: not timed
        started = time.perf_counter()
        if http:
            response = session.request(
                event["requestContext"]["http"]["method"],
                runtime.api_url + event["rawPath"],
                data=(event.get("body") or "").encode(),
                headers=headers,
            )
        else:
            response = session.post(
                f"{runtime.api_url}/_local/functions/{spec.logical_id}/invoke", json=event
            )
        if attempt:
            timings.append((time.perf_counter() - started) * 1000)
            statuses[response.status_code] += 1
    return timings, statuses


def http_functions(runtime: LocalRuntime) -> set[str]:
    """Functions behind a route (routes are resources of the stacks, not events of the functions)."""
    assert runtime.gateway is not None
    return {route.function_id for route in runtime.gateway.routes}


def sample_role(event: dict[str, Any]) -> str:
    """The role the sample's caller has (the token the bench sends for it)."""
    context = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}
    return str(context.get("role", "member"))


def booking_events(runtime: LocalRuntime, trainer_token: str) -> Any:
    """Booking samples aimed at a real, roomy session, each from a new member (a fresh caller id):
    what one booking really costs, not a 404 or a 409."""
    body = {
        "title": "Bench class",
        "starts_at": (datetime.now(UTC) + timedelta(days=300)).strftime("%Y-%m-%dT10:00:00Z"),
        "duration_min": 45,
        "capacity": 500,
        "price_cents": 0,
        "currency": "usd",
        "kind": "in_person",
        "location": "Bench",
    }
    headers = {"authorization": f"Bearer {trainer_token}"}
    reply = requests.post(f"{runtime.api_url}/sessions", json=body, headers=headers, timeout=30)
    reply.raise_for_status()
    session_id = reply.json()["session_id"]
    counter = iter(range(1_000_000))

    def aimed(event: dict[str, Any]) -> dict[str, Any]:
        event = json.loads(json.dumps(event))
        path = f"/sessions/{session_id}/bookings"
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["pathParameters"] = {"session_id": session_id}
        event["headers"].pop("idempotency-key", None)
        event["requestContext"]["authorizer"]["lambda"]["user_id"] = f"bench-member-{next(counter)}"
        return event

    return aimed


def direct(
    runtime: LocalRuntime, spec: FunctionSpec, event: Any, vary: Any = None
) -> tuple[list[float], Counter[str]]:
    """The handler called in this process (same environment, same moto), as a fresh Lambda would load it."""
    with in_process(runtime, spec) as (handler, calls):
        vary = vary or (lambda same: same)
        handler(vary(event), LambdaContext())  # warm-up: the first call creates clients
        calls.clear()
        timings = []
        for _ in range(WARM_SAMPLES):
            started = time.perf_counter()
            handler(vary(event), LambdaContext())
            timings.append((time.perf_counter() - started) * 1000)
    calls.pop("aws_seconds", None)
    per_call = Counter({name: round(count / WARM_SAMPLES, 2) for name, count in calls.items()})
    return timings, per_call


HTTP_TARGET, AUTHORIZER_TARGET = 1.5, 1.2  # issue 20: a cold init's ratio to the bare handler


def cold_starts() -> None:
    """`make bench-cold`: every function's cold init (and first invocation) against the bare handler,
    started alternately with it (paired_cold_starts) so that a machine that slows down does not
    skew the ratios."""
    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port())
    runtime = LocalRuntime(ROOT / "template.yaml", ports, out=io.StringIO())
    runtime.start()
    rows: list[tuple[str, str, PairedColdStarts]] = []
    over: list[str] = []
    try:
        http = http_functions(runtime)
        chosen = [(i, s) for i, s in sorted(runtime.functions.items()) if not ONLY or i in ONLY]
        with tempfile.TemporaryDirectory() as folder:
            bare = bare_spec(next(iter(runtime.functions.values())), Path(folder))
            for function_id, spec in chosen:
                pairs = paired_cold_starts(runtime, spec, _sample(function_id), bare)
                rows.append((function_id, "HttpApi" if function_id in http else _trigger(spec), pairs))
    finally:
        runtime.stop()
    bare_inits = [init for _id, _trigger, pairs in rows for init in pairs.bare_inits]
    lines = [
        f"Bare handler (boto3 + one client): cold init {min(bare_inits):.0f} ms at least, median "
        f"{statistics.median(bare_inits):.0f} ms, up to {max(bare_inits):.0f} ms over the run. "
        f"{COLD_SAMPLES} cold starts per function, each right after one of the bare handler; the "
        "ratio is the median of the pairs' ratios (PairedColdStarts).",
        "",
        "| function | trigger | cold init | ratio to bare | first invocation |",
        "|---|---|---:|---:|---:|",
    ]
    for function_id, trigger, pairs in rows:
        ratio, init, first = pairs.ratio, statistics.median(pairs.inits), statistics.median(pairs.firsts)
        target = AUTHORIZER_TARGET if function_id == "AuthorizerFunction" else HTTP_TARGET
        if (trigger == "HttpApi" or function_id == "AuthorizerFunction") and ratio > target:
            over.append(f"{function_id} {ratio:.2f}")
        lines.append(f"| {function_id} | {trigger} | {init:.0f} ms | {ratio:.2f} | {first:.0f} ms |")
    targets = f"HTTP at most {HTTP_TARGET}, the authorizer at most {AUTHORIZER_TARGET}"
    lines += ["", f"Over target ({targets}): {', '.join(over) or 'none'}"]
    write_result("cold-only.md" if ONLY else "cold.md", "\n".join(lines))


def _trigger(spec: FunctionSpec) -> str:
    return ", ".join(sorted({event.type for event in spec.events})) or "-"


def main() -> None:
    if os.environ.get("BENCH_COLD_ONLY"):
        cold_starts()
        return
    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port())
    runtime = LocalRuntime(ROOT / "template.yaml", ports, out=io.StringIO())
    runtime.start()
    rows = [
        f"Local runtime up in {runtime.startup_s:.2f} s. "
        f"{COLD_SAMPLES} cold starts, {WARM_SAMPLES} warm calls each.",
        "",
        "| function | trigger | cold init (median) | warm via runtime p50 / p99 (status) "
        "| handler direct p50 / p99 | AWS calls per invocation |",
        "|---|---|---|---|---|---|",
    ]
    measured: dict[str, Any] = {}
    try:
        tokens = {
            role: login_token(runtime, f"{role}@fitconnect.local") for role in ("member", "admin", "trainer")
        }
        aimed_booking = booking_events(runtime, tokens["trainer"])
        for function_id, spec in sorted(runtime.functions.items()):
            if ONLY and function_id not in ONLY:
                continue
            event = _sample(function_id)
            init = cold_init_ms(runtime, spec, event)
            role = sample_role(event)
            vary = aimed_booking if function_id == "CreateBookingFunction" else None
            event = vary(event) if vary else event
            token = throwaway_token(runtime) if function_id in DESTRUCTIVE else tokens[role]
            via_runtime, statuses = warm_via_runtime(runtime, spec, event, token)
            runtime_p50, runtime_p99 = _percentiles(via_runtime)
            status = "/".join(str(code) for code in sorted(statuses)) or "-"
            direct_timings, calls = direct(runtime, spec, event, vary)
            direct_p50, direct_p99 = _percentiles(direct_timings)
            triggers = {e.type for e in spec.events} | (
                {"HttpApi"} if function_id in http_functions(runtime) else set()
            )
            trigger = ", ".join(sorted(triggers)) or "-"
            measured[function_id] = {
                "trigger": trigger,
                "direct_p50_ms": round(direct_p50, 2),
                "calls": calls,
            }
            call_list = (
                ", ".join(f"{name} \N{MULTIPLICATION SIGN}{count:g}" for name, count in sorted(calls.items()))
                or "none"
            )
            rows.append(
                f"| {function_id} | {trigger} | {init:.0f} ms "
                f"| {runtime_p50:.1f} / {runtime_p99:.1f} ms ({status}) "
                f"| {direct_p50:.1f} / {direct_p99:.1f} ms | {call_list} |"
            )
            print(rows[-1], flush=True)
        rows += ["", memory_line(runtime, "after a call of every function through it")]
    finally:
        runtime.stop()
    # A partial run (BENCH_ONLY) never replaces the whole table, nor the figures `make cost` reads.
    write_result("only.md" if ONLY else "latest.md", "\n".join(rows))
    if not ONLY:
        document = {
            "measured": time.strftime("%Y-%m-%d"),
            "warm_samples": WARM_SAMPLES,
            "functions": measured,
        }
        MEASURED.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
