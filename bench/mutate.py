"""`make mutate`: mutation testing of the modules that carry the README's promises, each against the
fast in-process tests that guard it, within a time budget per module.

mutmut (pinned in requirements-dev.txt) changes one thing at a time in the module *on disk* (a
comparison, a condition, a number, a keyword, a decorator...), runs the tests, and puts the line
back: do not edit those files while it runs. A module that finishes keeps its cache
(`.mutmut-cache-<module>`: the next run retests only what changed); one stopped by its budget is
recorded and starts afresh next time (mutmut 2 cannot resume from a cache it was killed writing).
String mutants are left out: they mostly rename log messages and error texts.

    make mutate                          # every module, MUTATE_BUDGET_S (default 1200) each
    make mutate MUTATE=payments          # one module
Results: bench/results/mutation.json and a table on stdout (the README records the figures).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYER = "layers/shared/fitconnect"
PYTEST = f"{sys.executable} -m pytest -x -q -p no:cacheprovider"

MODULES = {
    "bookings": (
        f"{LAYER}/scheduling/bookings.py",
        "tests/unit/test_booking_states.py tests/unit/test_interleavings.py tests/unit/test_contention.py",
    ),
    "payments": (
        f"{LAYER}/payments/payments.py",
        "tests/unit/test_payment_states.py tests/unit/test_interleavings.py",
    ),
    "stripe_events": (f"{LAYER}/payments/stripe_events.py", "tests/unit/test_payment_states.py"),
    "tokens": (f"{LAYER}/identity/tokens.py", "tests/unit/test_token_states.py"),
    "telemetry": (
        f"{LAYER}/inventory/equipment.py",
        "tests/unit/test_equipment_ordering.py tests/unit/test_equipment_baseline.py",
    ),
    "notifications": (
        f"{LAYER}/notifications/notifications.py",
        "tests/unit/test_notification_claims.py tests/unit/test_reminders.py",
    ),
}


def run(name: str, budget_s: float) -> dict[str, object]:
    path, tests = MODULES[name]
    command = [
        sys.executable, "-m", "mutmut", "run", "--paths-to-mutate", path, "--runner", f"{PYTEST} {tests}",
        "--disable-mutation-types", "string,fstring,annassign", "--no-progress",
    ]  # fmt: skip
    started = time.monotonic()
    cache = ROOT / ".mutmut-cache"
    kept = ROOT / f".mutmut-cache-{name}"  # one cache per module: a stopped run never mixes with another
    if kept.exists():
        kept.rename(cache)
    # Its own process group: on the budget, mutmut and the test run it started stop together.
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=budget_s)
        finished = True
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        subprocess.run(["git", "checkout", "--", path], cwd=ROOT, check=True)  # the mutant left on disk
        finished = False
    results = _results(path)
    if finished:
        cache.rename(kept)
    else:  # mutmut 2 cannot resume from a cache it was killed writing: the next run starts afresh
        cache.unlink(missing_ok=True)
        for stray in ROOT.glob("**/*.py.bak"):
            stray.unlink()
    return {"module": path, "tests": tests, "finished": finished, **results,
            "seconds": round(time.monotonic() - started)}  # fmt: skip


STATUSES = {"ok_killed": "killed", "bad_survived": "survived", "bad_timeout": "timed_out",
            "ok_suspicious": "suspicious", "untested": "untested", "skipped": "untested"}  # fmt: skip


def _results(path: str) -> dict[str, object]:
    """mutmut's record of one file, from its cache: counts per outcome, and each survivor's line."""
    with sqlite3.connect(ROOT / ".mutmut-cache") as cache:
        rows = cache.execute(
            "SELECT m.id, m.status, l.line_number, l.line FROM Mutant m JOIN Line l ON m.line = l.id"
            " JOIN SourceFile f ON l.sourcefile = f.id WHERE f.filename = ? ORDER BY m.id",
            (path,),
        ).fetchall()
    counts: dict[str, object] = dict.fromkeys(sorted(set(STATUSES.values())), 0)
    for _id, status, _number, _line in rows:
        counts[STATUSES[status]] = int(counts[STATUSES[status]]) + 1
    counts["mutants"] = len(rows)
    counts["survivors"] = [
        f"#{mutant} line {number}: {line.strip()}"
        for mutant, status, number, line in rows
        if status == "bad_survived"
    ]
    return counts


def main() -> None:
    chosen = os.environ.get("MUTATE", "").split() or list(MODULES)
    budget = float(os.environ.get("MUTATE_BUDGET_S", "1200"))
    report = [run(name, budget) for name in chosen]
    out = ROOT / "bench" / "results" / "mutation.json"
    out.parent.mkdir(exist_ok=True)
    previous = json.loads(out.read_text()) if out.exists() else {}
    out.write_text(json.dumps({**previous, **{r["module"]: r for r in report}}, indent=2) + "\n")
    print(f"{'module':48} {'killed':>7} {'survived':>9} {'timeout':>8} {'score':>6}  done")
    for row in report:
        checked = int(row["killed"]) + int(row["survived"]) + int(row["timed_out"])
        score = f"{100 * (int(row['killed']) + int(row['timed_out'])) / checked:.0f}%" if checked else "-"
        print(f"{row['module']:48} {row['killed']:>7} {row['survived']:>9} {row['timed_out']:>8} {score:>6}  "
              f"{'yes' if row['finished'] else 'budget'}")  # fmt: skip


if __name__ == "__main__":
    main()
