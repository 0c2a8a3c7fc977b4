"""Equipment: the registry, the views, the readings' baselines and offline detection (telemetry
ingestion is `fitconnect.inventory.telemetry`).

In the inventory table (`INVENTORY_TABLE`):
- a machine: pk `EQUIP#<equipment_id>`, sk `EQUIP`, on no index: every telemetry batch writes it,
  and an index entry would copy each write into one hot index partition; its usage per day, its
  counters, readings and baselines are on it (see telemetry for its shape and its `version`);
- its listing: pk `EQUIP#<equipment_id>`, sk `LISTING`; gsi1 `EQUIPMENT` / `<name lower>#<id>`:
  written with the machine and never by telemetry; lists read a page of it, then the machines in
  one `BatchGetItem`;
- rejected messages: pk `REJECTED#<YYYY-MM-DD>`, sk `<received_at>#<n>`, with the reason (TTL 30 days),
  and a per-day counter on `REJECTED#<date>` / `COUNT`.

Status: `needs_service` once usage since the last service reaches the interval, else `in_use` or
`available` as the device reports, and `offline` when silent for more than 10 minutes (a schedule).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from fitconnect.inventory.models import Equipment, EquipmentListing
from fitconnect.inventory.packing import unpack_days
from fitconnect.platform import clock, ids
from fitconnect.platform.contract import RequestBody, SingleLine, View
from fitconnect.platform.errors import NotFound
from fitconnect.platform.storage import (
    conditional_update,
    get_item,
    plain_map,
    transact_write,
)

OFFLINE_AFTER = timedelta(minutes=10)
BASELINED = ("temperature_c", "vibration_rms")
BASELINE_ALPHA = 0.05  # each reading weighs 5%: the baseline follows roughly the last 40 readings
Z_LIMIT = 3.0  # a reading this many standard deviations off, on the same side...
PERSISTENT = 4  # ...this many readings in a row is an anomaly (one reading fewer at Z_EXTREME)...
Z_EXTREME = 6.0
MIN_SAMPLES = 20  # ...once the baseline has seen this many readings
GAUSSIAN_MAD = (2 / 3.141592653589793) ** 0.5  # mean absolute deviation of a unit normal


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


def status_of(equipment: Equipment, in_use: bool, since_service_s: float) -> str:
    if since_service_s >= float(equipment.service_interval_hours) * 3600:
        return "needs_service"
    return "in_use" if in_use else "available"


class EquipmentView(View):
    """A machine as GET /equipment shows it: its state is kept by its telemetry."""

    equipment_id: str
    name: str
    kind: str
    location: str
    service_interval_hours: int
    status: str = Field(description="available | in_use | offline | needs_service")
    usage_hours: float
    usage_hours_since_service: float
    last_seen: str | None
    battery_pct: float | None
    temperature_c: float | None
    vibration_rms: float | None
    last_service_at: str | None
    readings: int
    enrolled_at: str | None


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
    return machines([entry.equipment_id for entry in entries]), page.last_evaluated_key


def fleet() -> list[Equipment]:
    """Every machine (the sweep and the recommendations look at all of them)."""
    return machines([entry.equipment_id for entry in EquipmentListing.gsi1.query("EQUIPMENT")])


def machines(equipment_ids: list[str], consistent: bool = False) -> list[Equipment]:
    """The machines of `equipment_ids` that exist, in that order (BatchGetItem, 100 keys a call)."""
    keys = [Equipment.key(i) for i in equipment_ids]
    found = {item.equipment_id: item for item in Equipment.batch_get(keys, consistent_read=consistent)}
    return [found[equipment_id] for equipment_id in equipment_ids if equipment_id in found]


def record_service(equipment_id: str) -> Equipment:
    """Usage since service back to zero and the baselines started again; the version is bumped, so
    a telemetry batch that read the machine before this cannot write the old count back."""
    equipment = equipment_of(equipment_id)
    status = "in_use" if equipment.in_use else ("available" if equipment.status != "offline" else "offline")
    equipment.update(
        actions=[
            Equipment.usage_seconds_since_service.set(0),
            Equipment.last_service_at.set(clock.now_iso()),
            Equipment.baselines.set({}),
            Equipment.status.set(status),
            Equipment.version.set((Equipment.version | 0) + 1),
        ]
    )
    return equipment


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


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Equipment silent for more than 10 minutes goes `offline` (back with its next message)."""
    now = now or clock.now()
    cutoff = clock.to_iso(now - OFFLINE_AFTER)
    marked = 0
    for equipment in fleet():
        if equipment.status != "offline" and equipment.last_seen and equipment.last_seen < cutoff:
            # Conditioned on the silence read: a message that arrived meanwhile keeps it online.
            still_silent = Equipment.last_seen == equipment.last_seen
            marked += conditional_update(equipment, [Equipment.status.set("offline")], still_silent)
    return {"offline": marked}


def daily_usage(equipment: Equipment) -> dict[str, float]:
    """Seconds in use per UTC day ("YYYY-MM-DD"), the last 90 days."""
    return unpack_days(equipment.usage_days)
