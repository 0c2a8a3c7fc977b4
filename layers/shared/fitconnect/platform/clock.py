"""The one clock of the domain: always UTC, and movable by tests and the local runtime.

Production never sets the offset. The local runtime passes `FITCONNECT_CLOCK_OFFSET_S` to a
worker per invocation (POST /_local/clock), so a hold expiry or a reminder lead can be tested
without waiting; in-process tests use `travel`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

OFFSET_ENV = "FITCONNECT_CLOCK_OFFSET_S"


def now() -> datetime:
    """The current time, timezone-aware in UTC, shifted by the test offset if one is set."""
    offset = os.environ.get(OFFSET_ENV)
    current = datetime.now(UTC)
    return current + timedelta(seconds=float(offset)) if offset else current


def now_iso() -> str:
    """`now()` as ISO 8601 with a `Z` offset, to the millisecond (the API's time format)."""
    return to_iso(now())


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse(moment: str) -> datetime:
    """An ISO 8601 instant as stored (`...Z` or an offset), timezone-aware."""
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def monday_of(day: date) -> date:
    """The first day of `day`'s week (weeks start on Monday, as ISO 8601's do)."""
    return day - timedelta(days=day.weekday())


def epoch_seconds(moment: datetime | None = None) -> int:
    """Whole seconds since the epoch, the unit of DynamoDB TTL attributes."""
    return int((moment or now()).timestamp())


def from_epoch(seconds: float) -> datetime:
    """An epoch timestamp (Stripe's unit) as a UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


@contextmanager
def travel(to: datetime | timedelta) -> Iterator[None]:
    """Move the clock to a moment (or by a delta) for the duration of a block."""
    delta = to if isinstance(to, timedelta) else to - datetime.now(UTC)
    previous = os.environ.get(OFFSET_ENV)
    base = float(previous) if previous else 0.0
    os.environ[OFFSET_ENV] = str(base + delta.total_seconds())
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(OFFSET_ENV, None)
        else:
            os.environ[OFFSET_ENV] = previous


def is_fresh(since_epoch_s: float, max_age_s: float) -> bool:
    """Whether something stamped at `since_epoch_s` is younger than `max_age_s`.

    Caches use this rather than an expiry stamp: when a test moves the clock back, an entry
    stamped in the "future" counts as stale instead of living on.
    """
    return 0 <= epoch_seconds() - since_epoch_s < max_age_s
