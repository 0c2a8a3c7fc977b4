"""Compact encodings for the machine's hot item, which every telemetry batch rewrites (its size in
KB is what each write costs): the device times already counted, and the daily usage.

- times: ascending epoch-ms integers as the first one (8 bytes) and then the gaps as unsigned
  LEB128 varints (a 5-second gap is 2 bytes): 15 minutes at one report per 5 s is ~370 bytes,
  where a DynamoDB number set of the same times took ~2.5 KB;
- days: usage per UTC day as the first day's ordinal (4 bytes) and one unsigned 32-bit count of
  deciseconds per day (4 bytes): 90 days is 364 bytes, where a map of date keys took ~1.6 KB.
"""

from __future__ import annotations

import itertools
import struct
from datetime import date

_FIRST_TIME = struct.Struct(">Q")
_FIRST_DAY = struct.Struct(">I")


def pack_times(times: list[int]) -> bytes:
    ordered = sorted(set(times))
    if not ordered:
        return b""
    out = bytearray(_FIRST_TIME.pack(ordered[0]))
    for previous, current in itertools.pairwise(ordered):
        gap = current - previous
        while gap >= 0x80:
            out.append((gap & 0x7F) | 0x80)
            gap >>= 7
        out.append(gap)
    return bytes(out)


def unpack_times(packed: bytes | None) -> list[int]:
    if not packed:
        return []
    (current,) = _FIRST_TIME.unpack_from(packed)
    times, gap, shift = [current], 0, 0
    for byte in packed[_FIRST_TIME.size :]:
        gap |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            current += gap
            times.append(current)
            gap, shift = 0, 0
    return times


def pack_days(seconds_by_day: dict[str, float]) -> bytes:
    """{"YYYY-MM-DD": seconds} → bytes (days between the first and the last included, as zeros)."""
    if not seconds_by_day:
        return b""
    ordinals = {date.fromisoformat(day).toordinal(): seconds for day, seconds in seconds_by_day.items()}
    first, last = min(ordinals), max(ordinals)
    counts = [round(ordinals.get(day, 0.0) * 10) for day in range(first, last + 1)]
    return _FIRST_DAY.pack(first) + struct.pack(f">{len(counts)}I", *counts)


def unpack_days(packed: bytes | None) -> dict[str, float]:
    if not packed:
        return {}
    (first,) = _FIRST_DAY.unpack_from(packed)
    count = (len(packed) - _FIRST_DAY.size) // 4
    counts = struct.unpack_from(f">{count}I", packed, _FIRST_DAY.size)
    return {
        date.fromordinal(first + offset).isoformat(): tenths / 10
        for offset, tenths in enumerate(counts)
        if tenths
    }
