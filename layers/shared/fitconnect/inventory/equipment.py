"""Equipment: the registry, telemetry ingestion (one read and one write per message), offline detection.

In the inventory table (`INVENTORY_TABLE`):
- a machine: pk `EQUIP#<equipment_id>`, sk `EQUIP`, on no index: it is written by every message,
  and an index entry would copy each write into one hot index partition (`EQUIPMENT`, throttled past
  ~1,250 machines at one report per 5 s); its hourly and daily usage are maps on the same item
  (`usage_hourly["YYYY-MM-DDTHH"]`, `usage_daily["YYYY-MM-DD"]`, seconds), so a message costs one
  read and one write; the offline sweep prunes hours older than 48 h and days older than 90;
- its listing: pk `EQUIP#<equipment_id>`, sk `LISTING`; gsi1 `EQUIPMENT` / `<name lower>#<id>`:
  written with the machine and never by telemetry; lists read a page of it, then the machines in
  one `BatchGetItem`;
- rejected messages: pk `REJECTED#<YYYY-MM-DD>`, sk `<received_at>#<n>`, with the reason (TTL 30 days),
  and a per-day counter on `REJECTED#<date>` / `COUNT`.

Status: `needs_service` once usage since the last service reaches the interval, else `in_use` or
`available` as the device reports, and `offline` when silent for more than 10 minutes (a schedule).

Ordering: IoT Core invokes the function once per message, concurrently and in no order, and may
deliver a message twice. Usage counts every message exactly once whatever the order: each write
adds the message's device time (epoch ms) to the set `seen_ts` on condition it is not there yet.
Status, readings and baselines follow only the newest message (`last_ts`); an older message adds its
usage and nothing else. The sweep trims `seen_ts` to the last `DEDUP_WINDOW` of device time and
raises `seen_floor`; a message older than the floor arrives too late to be counted ("late").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from fitconnect.inventory import telemetry_archive
from fitconnect.inventory.models import Equipment, EquipmentListing, Rejected, RejectedCount
from fitconnect.platform import clock, ids
from fitconnect.platform.contract import RequestBody, SingleLine
from fitconnect.platform.errors import NotFound
from fitconnect.platform.observability import logger, metrics
from fitconnect.platform.storage import (
    conditional_update,
    get_item,
    plain_map,
    transact_write,
    ttl_in,
)

OFFLINE_AFTER = timedelta(minutes=10)
BASELINED = ("temperature_c", "vibration_rms")
BASELINE_ALPHA = 0.05  # each reading weighs 5%: the baseline follows roughly the last 40 readings
Z_LIMIT = 3.0  # a reading this many standard deviations off, on the same side...
PERSISTENT = 4  # ...this many readings in a row is an anomaly (one reading fewer at Z_EXTREME)...
Z_EXTREME = 6.0
MIN_SAMPLES = 20  # ...once the baseline has seen this many readings
GAUSSIAN_MAD = (2 / 3.141592653589793) ** 0.5  # mean absolute deviation of a unit normal
REJECTED_TTL_S = 30 * 24 * 3600
# How far behind the newest message a message may arrive and still count (about 2 KB of set for a
# device reporting every 5 s; the item's size is what each write costs).
DEDUP_WINDOW = timedelta(minutes=15)


class NewEquipment(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Rower 3",
                    "kind": "rower",
                    "location": "Cardio floor",
                    "service_interval_hours": 500,
                }
            ]
        }
    )
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80), SingleLine]
    kind: Annotated[
        str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=40), SingleLine
    ]
    location: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), SingleLine
    ]
    service_interval_hours: Annotated[int, Field(ge=1, le=10000)]


class Telemetry(BaseModel):
    """One message from a device (API.md: Gym equipment)."""

    model_config = ConfigDict(extra="ignore")
    equipment_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    ts: datetime
    in_use: bool
    usage_seconds: Annotated[float, Field(ge=0, le=3600)] = 0
    reps: Annotated[int, Field(ge=0, le=100000)] | None = None
    temperature_c: Annotated[float, Field(ge=-40, le=150)] | None = None
    vibration_rms: Annotated[float, Field(ge=0, le=100)] | None = None
    battery_pct: Annotated[float, Field(ge=0, le=100)] | None = None


def register(request: NewEquipment) -> Equipment:
    equipment_id = ids.new_id()
    listing = EquipmentListing(
        *EquipmentListing.key(equipment_id),
        gsi1pk="EQUIPMENT",
        gsi1sk=f"{request.name.lower()}#{equipment_id}",
        equipment_id=equipment_id,
    )
    equipment = Equipment(
        *Equipment.key(equipment_id),
        equipment_id=equipment_id,
        name=request.name,
        kind=request.kind,
        location=request.location,
        service_interval_hours=request.service_interval_hours,
        created_at=clock.now_iso(),
    )
    with transact_write() as transaction:
        transaction.save(equipment, condition=Equipment.pk.does_not_exist())
        transaction.save(listing, condition=EquipmentListing.pk.does_not_exist())
    return equipment


def equipment_of(equipment_id: str) -> Equipment:
    equipment = get_item(Equipment, Equipment.key(equipment_id))
    if equipment is None:
        raise NotFound("No such equipment.", code="equipment_not_found")
    return equipment


def _status(equipment: Equipment, in_use: bool, since_service_s: float) -> str:
    if since_service_s >= float(equipment.service_interval_hours) * 3600:
        return "needs_service"
    return "in_use" if in_use else "available"


def view(equipment: Equipment) -> dict[str, Any]:
    return {
        "equipment_id": equipment.equipment_id,
        "name": equipment.name,
        "kind": equipment.kind,
        "location": equipment.location,
        "service_interval_hours": int(equipment.service_interval_hours),
        "status": equipment.status,
        "usage_hours": round(float(equipment.usage_seconds_total) / 3600, 2),
        "usage_hours_since_service": round(float(equipment.usage_seconds_since_service) / 3600, 2),
        "last_seen": equipment.last_seen,
        "battery_pct": equipment.battery_pct,
        "temperature_c": equipment.temperature_c,
        "vibration_rms": equipment.vibration_rms,
        "last_service_at": equipment.last_service_at,
        "readings": int(equipment.messages_total or 0),
        "enrolled_at": plain_map(equipment.enrolment).get("enrolled_at"),
    }


def listing(limit: int, start_key: dict[str, Any] | None) -> tuple[list[Equipment], Any]:
    """A page of machines in name order: a page of the list index, then one batch read."""
    page = EquipmentListing.gsi1.query(
        "EQUIPMENT", limit=limit, page_size=limit, last_evaluated_key=start_key
    )
    entries = list(page)
    return _machines([entry.equipment_id for entry in entries]), page.last_evaluated_key


def fleet() -> list[Equipment]:
    """Every machine (the sweep and the recommendations look at all of them)."""
    return _machines([entry.equipment_id for entry in EquipmentListing.gsi1.query("EQUIPMENT")])


def _machines(equipment_ids: list[str]) -> list[Equipment]:
    found = {
        item.equipment_id: item for item in Equipment.batch_get([Equipment.key(i) for i in equipment_ids])
    }
    return [found[equipment_id] for equipment_id in equipment_ids if equipment_id in found]


def record_service(equipment_id: str) -> Equipment:
    equipment = equipment_of(equipment_id)
    status = "in_use" if equipment.in_use else ("available" if equipment.status != "offline" else "offline")
    equipment.update(
        actions=[
            Equipment.usage_seconds_since_service.set(0),
            Equipment.last_service_at.set(clock.now_iso()),
            Equipment.baselines.set({}),
            Equipment.status.set(status),
        ]
    )
    return equipment


def ingest(message: dict[str, Any]) -> str:
    """Apply one telemetry message; a bad one is recorded as rejected (never raised).

    Returns the outcome: `applied` (the newest so far), `counted` (older: usage only), `duplicate`,
    `late` (behind the dedup window) or `rejected`.
    """
    try:
        telemetry = Telemetry.model_validate(message)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return _reject(message, f"invalid: {problems}")
    equipment = get_item(Equipment, Equipment.key(telemetry.equipment_id))
    if equipment is None:
        return _reject(message, "unknown equipment")
    moment = telemetry.ts if telemetry.ts.tzinfo else telemetry.ts.replace(tzinfo=UTC)
    ts, ts_ms = clock.to_iso(moment), int(moment.timestamp() * 1000)
    telemetry_archive.enqueue(
        {**telemetry.model_dump(mode="json", exclude_none=True), "ts": ts}
    )  # for analytics
    metrics.add_metric(name="TelemetryMessages", unit="Count", value=1)
    if equipment.seen_floor is not None and ts_ms <= int(equipment.seen_floor):
        return _late(telemetry)
    if (not equipment.last_ts or ts > equipment.last_ts) and _apply_newest(equipment, telemetry, ts, ts_ms):
        return "applied"
    return _count_older(equipment, telemetry, ts, ts_ms)


def _usage_actions(telemetry: Telemetry, ts: str, ts_ms: int) -> list[Any]:
    """The order-independent part of a message: its usage, counted once (with the `_not_seen` guard)."""
    hour, day, seconds = ts[:13], ts[:10], telemetry.usage_seconds
    return [
        Equipment.usage_seconds_total.add(seconds),
        Equipment.usage_seconds_since_service.add(seconds),
        Equipment.usage_hourly[hour].set((Equipment.usage_hourly[hour] | 0) + seconds),
        Equipment.usage_daily[day].set((Equipment.usage_daily[day] | 0) + seconds),
        Equipment.reps_total.add(telemetry.reps or 0),
        Equipment.messages_total.add(1),
        Equipment.seen_ts.add({ts_ms}),
    ]


def _not_seen(ts_ms: int) -> Any:
    in_window = Equipment.seen_floor.does_not_exist() | (Equipment.seen_floor < ts_ms)
    return ~Equipment.seen_ts.contains(ts_ms) & in_window


def _apply_newest(equipment: Equipment, telemetry: Telemetry, ts: str, ts_ms: int) -> bool:
    """Usage, status, readings and baselines in one write, conditioned on no newer message having
    been applied since the read. False when one was (the caller counts this one as older)."""
    since_service = float(equipment.usage_seconds_since_service) + telemetry.usage_seconds
    actions = [
        *_usage_actions(telemetry, ts, ts_ms),
        Equipment.in_use.set(telemetry.in_use),
        Equipment.status.set(_status(equipment, telemetry.in_use, since_service)),
        Equipment.last_seen.set(clock.now_iso()),
        Equipment.last_ts.set(ts),
    ]
    for name in ("battery_pct", "temperature_c", "vibration_rms"):
        value = getattr(telemetry, name)
        if value is not None:
            actions.append(getattr(Equipment, name).set(value))
    for name in BASELINED:
        value = getattr(telemetry, name)
        if value is not None:
            previous = plain_map(equipment.baselines).get(name)
            actions.append(Equipment.baselines[name].set(updated_baseline(previous, float(value))))
    if equipment.last_ts:
        nothing_newer = Equipment.last_ts == equipment.last_ts
    else:
        nothing_newer = Equipment.last_ts.does_not_exist()
    return conditional_update(equipment, actions, nothing_newer & _not_seen(ts_ms))


def _count_older(equipment: Equipment, telemetry: Telemetry, ts: str, ts_ms: int) -> str:
    """An older message adds its usage (once) and `last_seen`; status and baselines stay with the newest."""
    actions = [*_usage_actions(telemetry, ts, ts_ms), Equipment.last_seen.set(clock.now_iso())]
    if conditional_update(equipment, actions, _not_seen(ts_ms)):
        return "counted"
    fresh = get_item(Equipment, Equipment.key(telemetry.equipment_id), consistent=True)
    if fresh and fresh.seen_floor is not None and ts_ms <= int(fresh.seen_floor):
        return _late(telemetry)
    return "duplicate"


def _late(telemetry: Telemetry) -> str:

    logger.warning("telemetry too late to count", extra={"equipment_id": telemetry.equipment_id})
    metrics.add_metric(name="TelemetryLate", unit="Count", value=1)
    return "late"


def baseline_std(baseline: dict[str, Any]) -> float:
    """The baseline's spread as a standard deviation: its mean absolute deviation (which one wild
    reading moves far less than a variance), corrected for its start from zero (an EWMA after n
    readings underestimates by 1 - (1 - alpha)^(n - 1): 36% at 20 readings, which would flag a
    healthy machine's ordinary noise), scaled to a normal's standard deviation."""
    n = int(baseline["n"])
    settled = 1 - (1 - BASELINE_ALPHA) ** (n - 1)
    return float(baseline["mad"]) / settled / GAUSSIAN_MAD if settled > 0 else 0.0


def updated_baseline(previous: dict[str, Any] | None, value: float) -> dict[str, Any]:
    """EWMA mean and mean absolute deviation, plus the reading's z-score against the baseline
    *before* it and the number of consecutive readings beyond the limit on the same side (`streak`,
    signed: +3 is three too high in a row).

    An anomalous reading (|z| over the limit, once the baseline is established) is not learnt:
    otherwise a machine drifting towards a fault would drag its own baseline along and never
    look abnormal. The baseline starts again after a service.
    """
    if not previous:
        return {"mean": value, "mad": 0.0, "n": 1, "last": value, "z": 0.0, "streak": 0, "z_before": 0.0}
    mean, mad, n = float(previous["mean"]), float(previous["mad"]), int(previous["n"])
    std = baseline_std(previous)
    z = (value - mean) / std if std > 1e-9 else 0.0
    before = float(previous.get("z", 0.0))
    if n >= MIN_SAMPLES and abs(z) > Z_LIMIT:
        streak = _signed_streak(int(previous.get("streak", 0)), z)
        return {**previous, "n": n + 1, "last": value, "z": round(z, 2), "streak": streak, "z_before": before}
    delta = value - mean
    return {
        "mean": round(mean + BASELINE_ALPHA * delta, 4),
        "mad": round((1 - BASELINE_ALPHA) * mad + BASELINE_ALPHA * abs(delta), 6),
        "n": n + 1,
        "last": value,
        "z": round(z, 2),
        "streak": 0,
        "z_before": before,
    }


def _signed_streak(previous: int, z: float) -> int:
    """+k: the last k readings too high, -k: too low; a reading on the other side starts again."""
    side = 1 if z > 0 else -1
    return previous + side if previous * side > 0 else side


def is_anomalous(baseline: dict[str, Any] | None) -> bool:
    """The machine's readings have stayed far off its established baseline on one side: beyond
    Z_LIMIT for PERSISTENT readings in a row, or beyond Z_EXTREME for one fewer. A single wild
    reading — a sensor glitch, a heavy-tailed noise's outlier — is never a fault on its own."""
    if not baseline or int(baseline["n"]) <= MIN_SAMPLES:
        return False
    streak = abs(int(baseline.get("streak", 0)))
    extreme = min(abs(float(baseline["z"])), abs(float(baseline.get("z_before", 0.0)))) >= Z_EXTREME
    return streak >= PERSISTENT or (streak >= PERSISTENT - 1 and extreme)


def _reject(message: dict[str, Any], reason: str) -> str:
    import json

    now = clock.now_iso()
    day = now[:10]
    Rejected(
        f"REJECTED#{day}",
        f"{now}#{ids.new_id()}",
        reason=reason[:500],
        topic_equipment_id=str(message.get("equipment_id"))[:64] if message.get("equipment_id") else None,
        payload=json.dumps(message, default=str)[:4000],
        expires_at=ttl_in(REJECTED_TTL_S),
    ).save()
    RejectedCount(f"REJECTED#{day}", "COUNT").update(actions=[RejectedCount.count.add(1)])

    logger.warning("telemetry rejected", extra={"reason": reason})
    metrics.add_metric(name="TelemetryRejected", unit="Count", value=1)
    return "rejected"


def rejected_today() -> int:
    item = get_item(RejectedCount, (f"REJECTED#{clock.now_iso()[:10]}", "COUNT"), consistent=True)
    return int(item.count) if item else 0


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Equipment silent for more than 10 minutes goes `offline` (back with its next message);
    usage maps drop hours older than 48 h and days older than 90; `seen_ts` keeps DEDUP_WINDOW."""
    now = now or clock.now()
    cutoff = clock.to_iso(now - OFFLINE_AFTER)
    marked = pruned = 0
    for equipment in fleet():
        if equipment.status != "offline" and equipment.last_seen and equipment.last_seen < cutoff:
            # Conditioned on the silence read: a message that arrived meanwhile keeps it online.
            still_silent = Equipment.last_seen == equipment.last_seen
            marked += conditional_update(equipment, [Equipment.status.set("offline")], still_silent)
        pruned += _prune(equipment, now)
    return {"offline": marked, "pruned": pruned}


def _prune(equipment: Equipment, now: datetime) -> int:
    oldest_hour = clock.to_iso(now - timedelta(hours=48))[:13]
    oldest_day = clock.to_iso(now - timedelta(days=90))[:10]
    old_hours = [key for key in plain_map(equipment.usage_hourly) if key < oldest_hour]
    old_days = [key for key in plain_map(equipment.usage_daily) if key < oldest_day]
    actions = [Equipment.usage_hourly[key].remove() for key in old_hours]
    actions += [Equipment.usage_daily[key].remove() for key in old_days]
    condition = None
    if equipment.last_ts and equipment.seen_ts:
        newest = clock.parse(equipment.last_ts)
        floor = int((newest - DEDUP_WINDOW).timestamp() * 1000)
        trimmed = {seen for seen in equipment.seen_ts if seen <= floor}
        if trimmed:
            actions += [Equipment.seen_ts.delete(trimmed), Equipment.seen_floor.set(floor)]
            # The floor only rises (a stale read of last_ts must not lower it).
            condition = Equipment.seen_floor.does_not_exist() | (Equipment.seen_floor < floor)
    if actions and conditional_update(equipment, actions, condition):
        return len(actions)
    return 0
