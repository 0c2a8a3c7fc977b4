"""Telemetry ingestion: a batch of messages from the stream, one read and one write per machine.

IoT Core puts each device message on a Kinesis stream keyed by machine; the ingest function gets
them in batches (`ingest_batch`). Per machine in the batch: one consistent read (all the batch's
machines in one BatchGetItem), the messages applied in device-time order in memory, and one
conditional write of the machine's state (`version` unchanged since the read; another writer in
between — a service record, a second batch — means read again and re-apply).

Exactly once, in any order: a message counts only if its device time (epoch ms) is not among the
times already counted (`seen`, packed) and not older than the window's edge (`seen_floor`, the
newest time less DEDUP_WINDOW): a redelivered batch, a duplicate publish or a retried function
change nothing. Status, readings and baselines follow each message newer than the newest applied
so far; an older one adds its usage and nothing else. A message behind the edge is "late".

The machine's item stays near 1 KB (what a write costs): the counted times and the daily usage are
packed (`packing`), the hourly map is gone, and it is on no index.
"""

from __future__ import annotations

import base64
import json
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from fitconnect.inventory.equipment import BASELINED, machines, status_of, updated_baseline
from fitconnect.inventory.models import Equipment, Rejected, RejectedCount
from fitconnect.inventory.packing import pack_days, pack_times, unpack_days, unpack_times
from fitconnect.platform import clock, ids
from fitconnect.platform.observability import logger, metrics
from fitconnect.platform.storage import conditional_update, get_item, plain_map, ttl_in

REJECTED_TTL_S = 30 * 24 * 3600
# How far behind the newest message a message may arrive and still count: about 370 bytes of
# packed times for a device reporting every 5 s.
DEDUP_WINDOW = timedelta(minutes=15)
USAGE_DAYS_KEPT = 90
READINGS = ("battery_pct", "temperature_c", "vibration_rms")
MAX_ATTEMPTS = 5


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

    def moment(self) -> datetime:
        return self.ts if self.ts.tzinfo else self.ts.replace(tzinfo=UTC)

    def ts_ms(self) -> int:
        return int(self.moment().timestamp() * 1000)


def valid(message: Any) -> Telemetry | str:
    """The message as a `Telemetry`, or why it is not one."""
    try:
        return Telemetry.model_validate(message if isinstance(message, dict) else {"payload": message})
    except ValidationError as error:
        return "invalid: " + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())


def ingest_batch(messages: list[tuple[str, Any]]) -> tuple[Counter[str], list[str]]:
    """Apply a batch of (record id, message): the outcomes counted (`applied`, `counted`,
    `duplicate`, `late`, `rejected`) and the ids of the records to retry (their machine's write
    failed; the others of the batch are done, and would count nothing again)."""
    outcomes: Counter[str] = Counter()
    by_machine: dict[str, list[tuple[str, Telemetry]]] = defaultdict(list)
    for record_id, message in messages:
        telemetry = valid(message)
        if isinstance(telemetry, str):
            outcomes[_reject(message, telemetry)] += 1
        else:
            by_machine[telemetry.equipment_id].append((record_id, telemetry))
    machines = _machines(list(by_machine))
    retry: list[str] = []
    for equipment_id, entries in by_machine.items():
        if equipment_id not in machines:
            for _, telemetry in entries:
                outcomes[_reject(telemetry.model_dump(mode="json"), "unknown equipment")] += 1
            continue
        try:
            outcomes.update(_apply(machines[equipment_id], [telemetry for _, telemetry in entries]))
        except Exception:  # this machine's records are retried; the batch's others are done
            logger.exception(
                "telemetry for a machine could not be written", extra={"equipment_id": equipment_id}
            )
            retry += [record_id for record_id, _ in entries]
    metrics.add_metric(name="TelemetryMessages", unit="Count", value=len(messages))
    if outcomes["late"]:
        metrics.add_metric(name="TelemetryLate", unit="Count", value=outcomes["late"])
    if outcomes["rejected"]:
        metrics.add_metric(name="TelemetryRejected", unit="Count", value=outcomes["rejected"])
    return outcomes, retry


def _machines(equipment_ids: list[str]) -> dict[str, Equipment]:
    """The machines of the batch, read together (consistent: the write is conditioned on them)."""
    return {machine.equipment_id: machine for machine in machines(equipment_ids, consistent=True)}


def message_of(record: dict[str, Any]) -> Any:
    """A stream record's message (what the rule put: JSON), or a stand-in `valid` rejects."""
    try:
        return json.loads(base64.b64decode(record["kinesis"]["data"]))
    except ValueError:
        return {"payload": "not JSON"}


def _apply(equipment: Equipment, messages: list[Telemetry]) -> Counter[str]:
    for _attempt in range(MAX_ATTEMPTS):
        state = _State(equipment)
        outcomes = Counter(state.take(telemetry) for telemetry in sorted(messages, key=Telemetry.ts_ms))
        if not state.changed:
            return outcomes  # duplicates and late ones only: nothing to write
        if conditional_update(equipment, state.actions(), state.unchanged_since_read()):
            return outcomes
        equipment = get_item(Equipment, equipment.key(equipment.equipment_id), consistent=True)
    raise RuntimeError(f"machine {equipment.equipment_id}: written by another writer {MAX_ATTEMPTS} times")


class _State:
    """A machine's state as read, with a batch's messages applied in memory."""

    def __init__(self, equipment: Equipment) -> None:
        self.equipment = equipment
        self.seen = set(unpack_times(equipment.seen))
        self.floor = int(equipment.seen_floor) if equipment.seen_floor is not None else None
        self.days = unpack_days(equipment.usage_days)
        self.usage = float(equipment.usage_seconds_total or 0)
        self.since_service = float(equipment.usage_seconds_since_service or 0)
        self.reps = int(equipment.reps_total or 0)
        self.count = int(equipment.messages_total or 0)
        self.last_ts = equipment.last_ts
        self.baselines = plain_map(equipment.baselines)
        self.newest: Telemetry | None = None
        self.readings: dict[str, float] = {}
        self.changed = False

    def take(self, telemetry: Telemetry) -> str:
        ts_ms, ts = telemetry.ts_ms(), clock.to_iso(telemetry.moment())
        if self.floor is not None and ts_ms <= self.floor:
            logger.warning("telemetry too late to count", extra={"equipment_id": telemetry.equipment_id})
            return "late"
        if ts_ms in self.seen:
            return "duplicate"
        self.seen.add(ts_ms)
        self.usage += telemetry.usage_seconds
        self.since_service += telemetry.usage_seconds
        self.reps += telemetry.reps or 0
        self.count += 1
        self.days[ts[:10]] = self.days.get(ts[:10], 0.0) + telemetry.usage_seconds
        self.changed = True
        if self.last_ts and ts <= self.last_ts:
            return "counted"  # older than the newest applied: its usage only
        self.last_ts, self.newest = ts, telemetry
        for name in READINGS:
            if getattr(telemetry, name) is not None:
                self.readings[name] = float(getattr(telemetry, name))
        for name in BASELINED:
            if getattr(telemetry, name) is not None:
                self.baselines[name] = updated_baseline(
                    self.baselines.get(name), float(getattr(telemetry, name))
                )
        return "applied"

    def actions(self) -> list[Any]:
        newest_ms = max(self.seen)
        floor = max(self.floor or 0, newest_ms - int(DEDUP_WINDOW.total_seconds() * 1000))
        oldest_day = (clock.parse(self.last_ts or clock.now_iso()) - timedelta(days=USAGE_DAYS_KEPT)).date()
        days = {day: s for day, s in self.days.items() if day > oldest_day.isoformat()}
        actions = [
            Equipment.seen.set(pack_times([ts for ts in self.seen if ts > floor])),
            Equipment.seen_floor.set(floor),
            Equipment.usage_days.set(pack_days(days)),
            Equipment.usage_seconds_total.set(self.usage),
            Equipment.usage_seconds_since_service.set(self.since_service),
            Equipment.reps_total.set(self.reps),
            Equipment.messages_total.set(self.count),
            Equipment.last_seen.set(clock.now_iso()),
            Equipment.version.set(int(self.equipment.version or 0) + 1),
        ]
        if self.newest is not None:
            status = status_of(self.equipment, self.newest.in_use, self.since_service)
            actions += [
                Equipment.in_use.set(self.newest.in_use),
                Equipment.status.set(status),
                Equipment.last_ts.set(self.last_ts),
                Equipment.baselines.set(self.baselines),
                *(getattr(Equipment, name).set(value) for name, value in self.readings.items()),
            ]
        return actions

    def unchanged_since_read(self) -> Any:
        version = self.equipment.version
        return Equipment.version.does_not_exist() if version is None else Equipment.version == version


def _reject(message: Any, reason: str) -> str:
    now = clock.now_iso()
    day = now[:10]
    payload = message if isinstance(message, dict) else {"payload": message}
    Rejected(
        f"REJECTED#{day}",
        f"{now}#{ids.new_id()}",
        reason=reason[:500],
        topic_equipment_id=str(payload.get("equipment_id"))[:64] if payload.get("equipment_id") else None,
        payload=json.dumps(payload, default=str)[:4000],
        expires_at=ttl_in(REJECTED_TTL_S),
    ).save()
    RejectedCount(f"REJECTED#{day}", "COUNT").update(actions=[RejectedCount.count.add(1)])
    logger.warning("telemetry rejected", extra={"reason": reason})
    return "rejected"


def rejected_today() -> int:
    item = get_item(RejectedCount, (f"REJECTED#{clock.now_iso()[:10]}", "COUNT"), consistent=True)
    return int(item.count) if item else 0
