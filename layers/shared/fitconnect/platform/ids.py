"""Opaque, sortable identifiers (ULIDs): lexicographic order is creation order."""

from __future__ import annotations

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
