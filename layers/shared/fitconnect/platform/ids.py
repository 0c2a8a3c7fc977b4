"""Opaque, sortable identifiers (ULIDs): lexicographic order is creation order."""

from __future__ import annotations

import hashlib
from datetime import datetime

from ulid import ULID

from fitconnect.platform import clock


def new_id() -> str:
    """A new ULID, timestamped by the domain clock so ordering follows (moved) time."""
    return str(ULID.from_datetime(clock.now()))


def is_id(value: str) -> bool:
    """Whether `value` is a well-formed ULID (cheap guard before a key lookup)."""
    try:
        ULID.from_str(value)
    except ValueError:
        return False
    return True


def derived_id(moment: datetime, *parts: str) -> str:
    """A ULID that is the same for the same `moment` and `parts`: its time is `moment` (so it sorts
    like the thing it names), its randomness a hash of the parts. Writing an item under it once
    with a does-not-exist condition makes an import repeatable (coaching.activities.import_workout)."""
    return _ulid(moment, hashlib.sha256("\x1f".join(parts).encode()).digest()[:10])


def earliest_id(moment: datetime) -> str:
    """The smallest ULID of `moment`: ids made at or after it sort at or after it (a range key)."""
    return _ulid(moment, bytes(10))


def _ulid(moment: datetime, randomness: bytes) -> str:
    """A ULID of `moment` (48 bits of milliseconds) and 80 bits of the caller's `randomness`."""
    return str(ULID.from_bytes(int(moment.timestamp() * 1000).to_bytes(6, "big") + randomness))
