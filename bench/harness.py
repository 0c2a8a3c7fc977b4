"""What the benchmarks share: a Lambda context, free ports, demo logins, and handlers called in this
process with every AWS API call they make counted."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import requests
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from fitconnect_local.functions import FunctionSpec
from fitconnect_local.inprocess import load_handler
from fitconnect_local.runtime import LocalRuntime


class LambdaContext:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def login_token(runtime: LocalRuntime, email: str, password: str = "fitconnect-demo") -> str:
    reply = requests.post(
        f"{runtime.api_url}/auth/login", json={"email": email, "password": password}, timeout=30
    )
    reply.raise_for_status()
    return reply.json()["access_token"]


@contextlib.contextmanager
def in_process(
    runtime: LocalRuntime, spec: FunctionSpec
) -> Iterator[tuple[Callable[[Any, Any], Any], Counter[str]]]:
    """The function's handler loaded in this process (its environment, the runtime's moto), and a
    counter of the AWS calls it makes (`service:Operation`; a failed one also as
    `service:Operation!ErrorCode`; the seconds spent waiting for them as `aws_seconds`), from any
    thread started after this point."""
    env = {**runtime._function_environment(spec), "POWERTOOLS_TRACE_DISABLED": "true"}
    env.pop("LAMBDA_TASK_ROOT")
    for name in [m for m in sys.modules if m == "fitconnect" or m.startswith("fitconnect.")]:
        del sys.modules[name]  # each function gets its own module state, clients and service name
    calls: Counter[str] = Counter()
    real_call = BaseClient._make_api_call
    runtime_threads = {thread.ident for thread in threading.enumerate()} - {threading.get_ident()}

    def counted(client: BaseClient, operation: str, params: Any) -> Any:
        # Every client (boto3's, Powertools', PynamoDB's own botocore session) goes through here;
        # the runtime's pollers (threads that existed before the handler) are not the handler's.
        if threading.get_ident() in runtime_threads:
            return real_call(client, operation, params)
        name = f"{client.meta.service_model.service_name}:{operation}"
        calls.update([name])
        started = time.perf_counter()
        try:
            return real_call(client, operation, params)
        except ClientError as error:
            calls.update([f"{name}!{error.response['Error']['Code']}"])
            raise
        finally:
            calls["aws_seconds"] += time.perf_counter() - started

    with (
        mock.patch.dict(os.environ, env),
        contextlib.redirect_stdout(io.StringIO()),
        mock.patch.object(BaseClient, "_make_api_call", counted),
    ):
        boto3.setup_default_session()
        yield load_handler(spec), calls


def write_result(name: str, text: str) -> None:
    """A benchmark's report, printed and kept in bench/results/<name> (not committed)."""
    out_dir = Path(__file__).resolve().parent / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / name).write_text(text + "\n")
    print(text)


def memory_line(runtime: LocalRuntime, when: str) -> str:
    """The runtime's resident memory (itself, moto, localstripe, the broker and its workers)."""
    memory = runtime.memory()
    return (
        f"Runtime resident memory {when}: {memory['rss_bytes'] / 2**30:.2f} GiB RSS "
        f"({memory['pss_bytes'] / 2**30:.2f} GiB PSS) in {memory['processes']} processes, "
        f"{memory['workers']} workers (budget {memory['worker_budget']}, "
        f"{memory['workers_stopped_for_budget']} idle ones stopped for it)."
    )


def dynamodb_item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB bills it (low-level JSON form): attribute names plus values —
    strings and binary their length, numbers about a byte per two digits, maps and lists 3 bytes
    plus their elements, sets their members."""

    def size(value: dict[str, Any]) -> int:
        ((kind, content),) = value.items()
        if kind in ("S", "B"):
            return len(content.encode() if kind == "S" else content)
        if kind == "N":
            return len(content.strip("-").replace(".", "")) // 2 + 2
        if kind == "M":
            return 3 + sum(len(k.encode()) + size(v) for k, v in content.items())
        if kind == "L":
            return 3 + sum(size(v) + 1 for v in content)
        if kind in ("SS", "NS", "BS"):
            return sum(len(str(member)) for member in content)
        return 1  # BOOL, NULL

    return sum(len(name.encode()) + size(value) for name, value in item.items())
