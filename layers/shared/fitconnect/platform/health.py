"""Reachability of every resource a function was given: tables, buckets, queues and the bus.

The list comes from the function's environment, by the template's naming convention
(<NAME>_TABLE, <NAME>_BUCKET, <NAME>_QUEUE_URL, EVENT_BUS_NAME), so there is no second list to
drift from template.yaml. Checks run in parallel with short timeouts: a dead dependency makes the
report fail fast instead of hanging the request.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from fitconnect.platform import clock
from fitconnect.platform.settings import BUCKET_SUFFIX, EVENT_BUS_VAR, QUEUE_SUFFIX, TABLE_SUFFIX

Kind = Literal["dynamodb", "s3", "sqs", "events"]


@dataclass(frozen=True)
class Check:
    name: str
    kind: Kind
    target: str


@dataclass(frozen=True)
class Report:
    checks: dict[str, dict[str, Any]]

    @property
    def failing(self) -> list[str]:
        return sorted(name for name, result in self.checks.items() if result["status"] != "ok")

    @property
    def healthy(self) -> bool:
        return not self.failing


def checks_from_environment(environ: Mapping[str, str] | None = None) -> list[Check]:
    environ = os.environ if environ is None else environ
    checks: list[Check] = []
    for variable, value in sorted(environ.items()):
        kind = _kind_of(variable)
        if kind and value:
            checks.append(Check(name=variable.lower(), kind=kind, target=value))
    return checks


def _kind_of(variable: str) -> Kind | None:
    if variable.endswith(TABLE_SUFFIX):
        return "dynamodb"
    if variable.endswith(BUCKET_SUFFIX):
        return "s3"
    if variable.endswith(QUEUE_SUFFIX):
        return "sqs"
    if variable == EVENT_BUS_VAR:
        return "events"
    return None


def run_checks(checks: list[Check]) -> Report:
    if not checks:
        return Report(checks={})
    probes = {kind: _probe_for(kind) for kind in {check.kind for check in checks}}
    with ThreadPoolExecutor(max_workers=min(8, len(checks))) as pool:
        results = pool.map(lambda check: (check.name, _timed(probes[check.kind], check.target)), checks)
        return Report(checks=dict(results))


class CachedReport:
    """The latest report while younger than `ttl_s` on the domain clock (so tests can age it);
    concurrent callers in one instance wait for one round of checks instead of running their own."""

    def __init__(self, checks: list[Check], *, ttl_s: int = 10) -> None:
        self.checks, self.ttl_s = checks, ttl_s
        self._latest: tuple[int, Report] | None = None
        self._lock = threading.Lock()

    def get(self) -> Report:
        with self._lock:
            if self._latest is None or not clock.is_fresh(self._latest[0], self.ttl_s):
                self._latest = (clock.epoch_seconds(), run_checks(self.checks))
            return self._latest[1]


def _timed(probe: Callable[[str], object], target: str) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        probe(target)
    except Exception as error:  # any failure of a dependency is a failing check, reported by name
        return {"status": "failing", "error": f"{type(error).__name__}: {error}"[:300]}
    return {"status": "ok", "latency_ms": round((time.perf_counter() - started) * 1000, 1)}


def _probe_for(kind: Kind) -> Callable[[str], object]:
    client = _client({"dynamodb": "dynamodb", "s3": "s3", "sqs": "sqs", "events": "events"}[kind])
    if kind == "dynamodb":
        return lambda name: _expect_active(client.describe_table(TableName=name)["Table"]["TableStatus"])
    if kind == "s3":
        return lambda name: client.head_bucket(Bucket=name)
    if kind == "sqs":
        return lambda url: client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return lambda name: client.describe_event_bus(Name=name)


def _expect_active(status: str) -> None:
    if status not in {"ACTIVE", "UPDATING"}:
        raise RuntimeError(f"table status is {status}")


_clients: dict[str, Any] = {}


def _client(service: str) -> Any:
    # Created once per process (warm invocations reuse them), with tight timeouts and no retries:
    # a health check reports what is, it does not wait for a dependency to recover.
    if service not in _clients:
        import boto3
        from botocore.config import Config

        config = Config(connect_timeout=1, read_timeout=2, retries={"max_attempts": 1})
        _clients[service] = boto3.client(service, config=config)
    return _clients[service]
