"""`make bench-coaching`: what logging an activity and reading insights cost, and that the insights
read does not grow with the member's history: GET /me/insights for a member with a month of daily
activities against one with a year of them (same AWS calls, same items read, same latency).

    COACHING_SAMPLES=100 make bench-coaching

Handlers are called in this process against the local runtime's moto (bench/harness.py), with
every AWS call counted. Not a test: latencies depend on the machine.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import LambdaContext, free_port, in_process, write_result
from fitconnect_local.runtime import LocalRuntime, Ports

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = int(os.environ.get("COACHING_SAMPLES", "100"))
HISTORIES = {"a month": 30, "a year": 365}


def _event(function_id: str, user_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    event = json.loads((ROOT / "events" / "coaching" / f"{function_id}.json").read_text())
    event["requestContext"]["authorizer"]["lambda"]["user_id"] = user_id
    if body is not None:
        event["body"] = json.dumps(body)
    return event


def _day(back: int) -> dict[str, Any]:
    started = (datetime.now(UTC) - timedelta(days=back, hours=2)).isoformat(timespec="seconds")
    sets = [{"exercise_id": "barbell-back-squat", "reps": 5, "weight_kg": 80 + back % 7}] * 3
    if back % 2:
        return {"type": "run", "started_at": started, "duration_s": 1800, "distance_m": 6000, "rpe": 6}
    return {"type": "strength", "started_at": started, "duration_s": 3000, "rpe": 7, "sets": sets}


def _per_call(calls: Counter[str], invocations: int) -> dict[str, float]:
    calls.pop("aws_seconds", None)
    return {name: round(count / invocations, 2) for name, count in sorted(calls.items())}


def log_history(
    runtime: LocalRuntime, user_id: str, days: int
) -> tuple[list[float], dict[str, float], list[str]]:
    """`days` daily activities through the LogActivity handler: its timings, calls, and the ids."""
    timings, ids = [], []
    with in_process(runtime, runtime.functions["LogActivityFunction"]) as (handler, calls):
        handler(_event("LogActivityFunction", f"{user_id}-warm", _day(0)), LambdaContext())
        calls.clear()
        for back in range(days):
            started = time.perf_counter()
            reply = handler(_event("LogActivityFunction", user_id, _day(back)), LambdaContext())
            timings.append((time.perf_counter() - started) * 1000)
            assert reply["statusCode"] == 201, reply
            ids.append(json.loads(reply["body"])["activity_id"])
        return timings, _per_call(calls, days), ids


def track(runtime: LocalRuntime, user_id: str, activity_ids: list[str]) -> dict[str, float]:
    """The events consumer's work per ActivityLogged (what its handler does, called directly)."""
    with in_process(runtime, runtime.functions["TrackTrainingFunction"]) as (_handler, calls):
        from fitconnect.coaching import insights, summaries
        from fitconnect.coaching.models import Activity

        for activity_id in activity_ids:
            if insights.track(activity_id):
                summaries.mark_active(user_id, Activity.get(*Activity.key(activity_id)).started_at)
        calls["dynamodb:GetItem"] -= len(activity_ids)  # the bench's own read of started_at
        return _per_call(calls, len(activity_ids))


def read_insights(runtime: LocalRuntime, user_id: str) -> tuple[list[float], dict[str, float], int, int]:
    """Timings and calls of GET /me/insights, and how many training entries its query returns."""
    timings = []
    with in_process(runtime, runtime.functions["MyInsightsFunction"]) as (handler, calls):
        from fitconnect.coaching import insights

        event = _event("MyInsightsFunction", user_id)
        handler(event, LambdaContext())
        calls.clear()
        for _ in range(SAMPLES):
            started = time.perf_counter()
            reply = handler(event, LambdaContext())
            timings.append((time.perf_counter() - started) * 1000)
        assert reply["statusCode"] == 200, reply
        per_call = _per_call(calls, SAMPLES)
        window = datetime.now(UTC) - timedelta(days=insights.WINDOW_DAYS)
        return timings, per_call, len(insights.entries_since(user_id, window)), len(reply["body"])


def main() -> None:
    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port())
    runtime = LocalRuntime(ROOT / "template.yaml", ports, out=io.StringIO())
    runtime.start()
    rows = [
        "| history | POST /me/activities p50 | its AWS calls | consumer's AWS calls per activity "
        "| GET /me/insights p50 / p99 | its AWS calls | entries it reads | body |",
        "|---|---|---|---|---|---|---|---|",
    ]
    try:
        for label, days in HISTORIES.items():
            user_id = f"bench-coaching-{days}-{time.time_ns()}"
            log_ms, log_calls, ids = log_history(runtime, user_id, days)
            track_calls = track(runtime, user_id, ids)
            read_ms, read_calls, entries, size = read_insights(runtime, user_id)
            ordered = sorted(read_ms)
            p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
            rows.append(
                f"| {label} ({days} activities) | {statistics.median(log_ms):.1f} ms | {_calls(log_calls)} "
                f"| {_calls(track_calls)} | {statistics.median(read_ms):.1f} / {p99:.1f} ms "
                f"| {_calls(read_calls)} | {entries} | {size} B |"
            )
    finally:
        runtime.stop()
    write_result("coaching.md", "\n".join(rows))


def _calls(per_call: dict[str, float]) -> str:
    return ", ".join(f"{name} {count:g}" for name, count in per_call.items() if "!" not in name)


if __name__ == "__main__":
    main()
