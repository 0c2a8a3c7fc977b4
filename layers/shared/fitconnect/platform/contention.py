"""DynamoDB's contention errors, retried for every DynamoDB client in the process.

A write to an item another transaction is writing fails with `TransactionConflictException`, and a
transaction cancelled only for such conflicts with `TransactionCanceledException` whose reasons are
all `TransactionConflict` or `None`. Neither changed anything, and each request carries its own
conditions, so sending it again is as safe as the first time; botocore retries neither by itself.
A transaction cancelled because a condition failed is the caller's to handle, as before.

Installed before any client exists: by storage when it is imported (PynamoDB makes a botocore
session per connection and thread), and by `idempotent_on_first_use` for Powertools' idempotency records;
each session copies botocore's built-in handlers when it is made. Both import botocore already, so
this costs no cold start.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any, TypeVar

import botocore.handlers

from fitconnect.platform.settings import env

F = TypeVar("F", bound=Callable[..., Any])

CONFLICT_ATTEMPTS = 5  # the first try and 4 retries, 10 to 160 ms apart with jitter


def _conflict_retry_delay(
    attempts: int, response: Any = None, caught_exception: Any = None, **_: Any
) -> float | None:
    """botocore's `needs-retry` answer for DynamoDB: seconds to wait before sending again, or None."""
    if caught_exception is not None or not response or attempts >= CONFLICT_ATTEMPTS:
        return None
    error = (response[1] or {}).get("Error") or {}
    code = error.get("Code")
    if code == "TransactionCanceledException":
        reasons = {reason.get("Code") for reason in response[1].get("CancellationReasons") or []}
        if "TransactionConflict" not in reasons or not reasons <= {"TransactionConflict", "None", None}:
            return None
    elif code != "TransactionConflictException":
        return None
    return random.uniform(0.5, 1.0) * 0.01 * 2 ** (attempts - 1)


_HANDLER = ("needs-retry.dynamodb", _conflict_retry_delay)


def idempotent_on_first_use(*, data_keyword_argument: str, **config: Any) -> Callable[[F], F]:
    """Powertools' `idempotent_function` on the idempotency table (`IDEMPOTENCY_TABLE`; `config`:
    `IdempotencyConfig`'s fields), built on the first call rather than at import: its persistence
    layer makes a DynamoDB client, which was a third of an API function's cold init. Give it each
    invocation's context (`.register_lambda_context(context)`): Powertools times out an
    in-progress record with it."""

    def decorate(function: F) -> F:
        @functools.cache
        def built() -> tuple[Any, Callable[..., Any]]:
            from aws_lambda_powertools.utilities.idempotency import (  # cold start: see above
                DynamoDBPersistenceLayer,
                IdempotencyConfig,
                idempotent_function,
            )

            install()
            settings = IdempotencyConfig(**config)
            store = DynamoDBPersistenceLayer(table_name=env("IDEMPOTENCY_TABLE"))
            once = idempotent_function(
                data_keyword_argument=data_keyword_argument, persistence_store=store, config=settings
            )
            return settings, once(function)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            return built()[1](*args, **kwargs)

        call.register_lambda_context = lambda context: built()[0].register_lambda_context(context)  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return decorate


def install() -> None:
    """Add the retry to every botocore session made from now on (once)."""
    if _HANDLER not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(_HANDLER)
