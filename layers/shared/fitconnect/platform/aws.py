"""AWS clients: one per service per process, made on first use (boto3 is imported only then), so
warm invocations reuse its connections and a handler that never calls a service never pays for it."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3

    return boto3.client(service)
