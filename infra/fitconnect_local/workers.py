"""Warm pools of worker processes, one pool per function, invoked like Lambda.

A cold start spawns a worker that imports the handler (its init time is measured); later
invocations reuse idle workers, so module state and warm latency behave as on Lambda. Each worker
runs one invocation at a time; a pool grows up to its concurrency limit and further calls wait. A
timeout kills the worker (as Lambda does), a crash drops it; neither stops the runtime.

Memory: each worker is a Python process of 60-150 MB, and the platform has over a hundred
functions. A `WorkerBudget` shared by the pools keeps at most so many workers alive in all: past
it, the worker idle the longest (whichever its function) is stopped, as Lambda reclaims an idle
environment; that function's next call is a cold start again. A busy worker is never stopped: when
every worker is busy the budget is exceeded for a moment, and trimmed as workers come free.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fitconnect_local import worker as protocol
from fitconnect_local.functions import FunctionSpec
from fitconnect_local.processes import pipe_lines

WORKER_SCRIPT = Path(protocol.__file__).resolve()
IDLE_SHUTDOWN_S = 15 * 60
DEFAULT_WORKER_BUDGET = 12  # workers of all functions together: with the services, about 1.3 GiB


@dataclass
class Invocation:
    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None
    duration_ms: float = 0.0
    init_ms: float | None = None  # set on a cold start

    @property
    def cold(self) -> bool:
        return self.init_ms is not None


@dataclass
class FunctionStats:
    invocations: int = 0
    errors: int = 0
    cold_starts: int = 0
    init_ms: list[float] = field(default_factory=list)
    duration_ms: deque[float] = field(default_factory=lambda: deque(maxlen=2000))

    def as_dict(self) -> dict[str, Any]:
        return {
            "invocations": self.invocations,
            "errors": self.errors,
            "cold_starts": self.cold_starts,
            "init_ms": list(self.init_ms),
            "recent_duration_ms": list(self.duration_ms)[-50:],
        }


class _Worker:
    def __init__(self, spec: FunctionSpec, env: dict[str, str], log: Callable[[str], None]) -> None:
        requests_read, self._requests = os.pipe()
        self._replies, replies_write = os.pipe()
        # The child inherits its two pipe ends at the same numbers and is told them on argv.
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-u",
                str(WORKER_SCRIPT),
                str(requests_read),
                str(replies_write),
                str(spec.code_dir),
                spec.handler,
                *map(str, spec.layer_dirs),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(requests_read, replies_write),
            # No death signal here: it fires when the spawning *thread* ends (a gateway request
            # thread). A worker needs none: when the runtime dies its request pipe closes and it exits.
        )
        os.close(requests_read)
        os.close(replies_write)
        pipe_lines(self.process.stdout, log)
        self.last_used = time.monotonic()

    def read_reply(self, timeout_s: float) -> dict[str, Any] | None:
        """The next reply, or None on timeout; EOFError if the worker died."""
        ready, _, _ = select.select([self._replies], [], [], max(0.0, timeout_s))
        if not ready:
            return None
        return protocol.receive(self._replies)

    def send(self, message: dict[str, Any]) -> None:
        protocol.send(self._requests, message)

    def stop(self) -> None:
        for fd in (self._requests, self._replies):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class WorkerBudget:
    """At most `limit` live workers across the pools that share it (least recently used first out)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.evicted = 0
        self._pools: list[FunctionPool] = []
        self._lock = threading.Lock()

    def join(self, pool: FunctionPool) -> None:
        with self._lock:
            self._pools.append(pool)

    def live(self) -> int:
        return sum(pool.live_workers() for pool in self._pools)

    def trim(self) -> None:
        """Stop the longest-idle workers until the budget holds (or no worker is idle)."""
        with self._lock:  # one trim at a time: two would stop a worker each for one excess
            while self.live() > self.limit:
                idlest = [(pool.oldest_idle(), pool) for pool in self._pools]
                candidates = [(since, pool) for since, pool in idlest if since is not None]
                if not candidates:
                    return
                _, pool = min(candidates, key=lambda candidate: candidate[0])
                self.evicted += pool.stop_oldest_idle()


class FunctionPool:
    def __init__(
        self,
        spec: FunctionSpec,
        env: dict[str, str],
        *,
        emit: Callable[[str, str], None],
        clock_offset: Callable[[], float],
        max_concurrency: int = 4,
        budget: WorkerBudget | None = None,
    ) -> None:
        self.spec = spec
        self.env = env
        self.emit = emit
        self.clock_offset = clock_offset
        self.max_concurrency = max_concurrency
        self.stats = FunctionStats()
        self._idle: list[_Worker] = []
        self._count = 0
        self._cond = threading.Condition()
        self._closed = False
        self.budget = budget
        if budget is not None:
            budget.join(self)

    def _log(self, line: str) -> None:
        self.emit(self.spec.logical_id, line)

    def invoke(self, event: Any) -> Invocation:
        worker, init_ms, failure = self._acquire()
        if failure is not None:
            self._record(failure)
            return failure
        assert worker is not None
        request_id = str(uuid.uuid4())
        deadline_ms = int(time.time() * 1000) + self.spec.timeout_s * 1000
        self._log(f"START RequestId: {request_id}")
        outcome = self._run(worker, request_id, deadline_ms, event)
        outcome.init_ms = init_ms
        report = f"REPORT RequestId: {request_id} Duration: {outcome.duration_ms:.2f} ms"
        self._log(report + (f" Init Duration: {init_ms:.2f} ms" if init_ms is not None else ""))
        self._record(outcome)
        return outcome

    def _run(self, worker: _Worker, request_id: str, deadline_ms: int, event: Any) -> Invocation:
        began = time.perf_counter()
        try:
            worker.send(
                {
                    "request_id": request_id,
                    "deadline_ms": deadline_ms,
                    "event": event,
                    "clock_offset_s": self.clock_offset(),
                }
            )
            reply = worker.read_reply(self.spec.timeout_s)
        except (EOFError, OSError, BrokenPipeError):
            reply = {"crashed": True}
        if reply is None or reply.get("crashed"):
            self._discard(worker)
            message = (
                f"Task timed out after {self.spec.timeout_s:.2f} seconds"
                if reply is None
                else "Runtime exited without providing a reason"
            )
            self._log(f"[ERROR] {message}")
            return Invocation(
                ok=False,
                error={
                    "errorType": "Runtime.ExitError" if reply else "TimeoutError",
                    "errorMessage": message,
                },
                duration_ms=round((time.perf_counter() - began) * 1000, 2),
            )
        self._release(worker)
        return Invocation(
            ok=bool(reply.get("ok")),
            result=reply.get("result"),
            error=reply.get("error"),
            duration_ms=float(reply.get("duration_ms", 0.0)),
        )

    def _acquire(self) -> tuple[_Worker | None, float | None, Invocation | None]:
        with self._cond:
            while not self._idle and self._count >= self.max_concurrency and not self._closed:
                self._cond.wait()
            if self._closed:
                return (
                    None,
                    None,
                    Invocation(ok=False, error={"errorType": "Shutdown", "errorMessage": "stopping"}),
                )
            if self._idle:
                return self._idle.pop(), None, None
            self._count += 1
        if self.budget is not None:
            self.budget.trim()  # room for the worker about to start
        return self._cold_start()

    def _cold_start(self) -> tuple[_Worker | None, float | None, Invocation | None]:
        worker = _Worker(self.spec, self.env, self._log)
        try:
            reply = worker.read_reply(max(self.spec.timeout_s, 10))
        except (EOFError, OSError):
            reply = None
        if not reply or "ready" not in reply:
            error = (reply or {}).get("init_error") or {
                "errorType": "Runtime.InitError",
                "errorMessage": "no reply",
            }
            self._log(f"[ERROR] init failed: {error.get('errorType')}: {error.get('errorMessage')}")
            for line in error.get("stackTrace") or []:
                self._log(line.rstrip())
            self._discard(worker)
            return None, None, Invocation(ok=False, error=error)
        with self._cond:
            self.stats.cold_starts += 1
            self.stats.init_ms.append(float(reply["init_ms"]))
        return worker, float(reply["init_ms"]), None

    def _release(self, worker: _Worker) -> None:
        worker.last_used = time.monotonic()
        with self._cond:
            if self._closed:
                worker.stop()
                return
            self._idle.append(worker)
            self._cond.notify()
        if self.budget is not None:
            self.budget.trim()

    def live_workers(self) -> int:
        with self._cond:
            return self._count

    def oldest_idle(self) -> float | None:
        """When the longest-idle worker was last used (monotonic), or None when none is idle."""
        with self._cond:
            return min((worker.last_used for worker in self._idle), default=None)

    def stop_oldest_idle(self) -> int:
        """Stop the longest-idle worker (1), or nothing when none is idle any more (0)."""
        with self._cond:
            if not self._idle:
                return 0
            oldest = min(self._idle, key=lambda worker: worker.last_used)
            self._idle.remove(oldest)
            self._count -= 1
            self._cond.notify()
        oldest.stop()
        self._log("[runtime] idle worker stopped: the runtime's worker budget is full")
        return 1

    def _discard(self, worker: _Worker) -> None:
        worker.stop()
        with self._cond:
            self._count -= 1
            self._cond.notify()

    def _record(self, outcome: Invocation) -> None:
        with self._cond:
            self.stats.invocations += 1
            self.stats.errors += 0 if outcome.ok else 1
            self.stats.duration_ms.append(outcome.duration_ms)

    def reap_idle(self, idle_s: float = IDLE_SHUTDOWN_S) -> None:
        """Stop workers idle for longer than Lambda keeps an environment warm."""
        cutoff = time.monotonic() - idle_s
        with self._cond:
            stale = [w for w in self._idle if w.last_used < cutoff]
            self._idle = [w for w in self._idle if w.last_used >= cutoff]
            self._count -= len(stale)
        for worker in stale:
            worker.stop()

    def warm_workers(self) -> int:
        with self._cond:
            return len(self._idle)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in idle:
            worker.stop()
