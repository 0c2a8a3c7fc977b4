"""Maintenance and anomaly recommendations for the gym's equipment, each with its evidence in numbers.

- service due: usage since the last service against the interval (from 80%), with the date it will
  be due at the average daily usage of the last 7 days;
- anomaly: temperature or vibration readings far from the machine's own rolling baseline, on one
  side, in a row (after `MIN_SAMPLES` readings): beyond `Z_LIMIT` standard deviations for
  `PERSISTENT` readings, beyond `Z_EXTREME` for one fewer (`equipment.is_anomalous`);
- low battery: under 20%;
- under- and over-used: 7-day utilisation far below or above the fleet's average for the same kind.
"""

from __future__ import annotations

from datetime import timedelta
from statistics import mean
from typing import Any

from pydantic import Field

from fitconnect.inventory import equipment
from fitconnect.inventory.equipment import BASELINED, baseline_std, is_anomalous
from fitconnect.inventory.models import Equipment
from fitconnect.platform import clock
from fitconnect.platform.contract import View
from fitconnect.platform.storage import plain_map

SERVICE_WARNING_SHARE = 0.8
LOW_BATTERY_PCT = 20
UTILISATION_DAYS = 7


class EquipmentRecommendationView(View):
    """What to do about a machine, with the figures it rests on."""

    equipment_id: str
    name: str
    type: str = Field(description="service_due | anomaly | underused | …")
    severity: str
    reason: str
    evidence: dict[str, Any]


class EquipmentRecommendationsView(View):
    items: list[EquipmentRecommendationView]


def recommendations() -> list[dict[str, Any]]:
    fleet = equipment.fleet()
    utilisation = {machine.equipment_id: _utilisation(machine) for machine in fleet}
    found: list[dict[str, Any]] = []
    for machine in fleet:
        found += _service_due(machine)
        found += _anomalies(machine)
        found += _low_battery(machine)
        found += _usage_outliers(machine, fleet, utilisation)
    return sorted(
        found, key=lambda item: ({"high": 0, "medium": 1, "low": 2}[item["severity"]], item["name"])
    )


def _item(
    machine: Equipment, kind: str, severity: str, reason: str, evidence: dict[str, Any]
) -> dict[str, Any]:
    return {
        "equipment_id": machine.equipment_id,
        "name": machine.name,
        "type": kind,
        "severity": severity,
        "reason": reason,
        "evidence": evidence,
    }


def _daily_hours(machine: Equipment) -> float:
    today = clock.now().date()
    days = [(today - timedelta(days=back)).isoformat() for back in range(UTILISATION_DAYS)]
    usage = equipment.daily_usage(machine)
    return sum(float(usage.get(day, 0)) for day in days) / 3600 / UTILISATION_DAYS


def _service_due(machine: Equipment) -> list[dict[str, Any]]:
    used = float(machine.usage_seconds_since_service) / 3600
    interval = float(machine.service_interval_hours)
    if used < SERVICE_WARNING_SHARE * interval:
        return []
    per_day = _daily_hours(machine)
    remaining = max(0.0, interval - used)
    due = clock.now() + timedelta(days=remaining / per_day) if per_day > 0 else None
    evidence = {
        "usage_hours_since_service": round(used, 1),
        "service_interval_hours": interval,
        "share_of_interval": round(used / interval, 2),
        "average_hours_per_day_7d": round(per_day, 2),
        "predicted_due_at": clock.to_iso(due) if due and remaining > 0 else None,
    }
    overdue = used >= interval
    reason = (
        "Service is overdue." if overdue else f"{round(100 * used / interval)}% of the service interval used."
    )
    return [_item(machine, "service_due", "high" if overdue else "medium", reason, evidence)]


def _anomalies(machine: Equipment) -> list[dict[str, Any]]:
    found = []
    for name in BASELINED:
        baseline = plain_map(machine.baselines).get(name)
        if not is_anomalous(baseline):
            continue
        evidence = {
            "reading": name,
            "last": float(baseline["last"]),
            "baseline_mean": float(baseline["mean"]),
            "baseline_std": round(baseline_std(baseline), 3),
            "z_score": float(baseline["z"]),
            "samples": int(baseline["n"]),
            "consecutive_readings": abs(int(baseline.get("streak", 0))),
        }
        reason = f"{name} is {abs(float(baseline['z'])):.1f} standard deviations from its usual level."
        found.append(_item(machine, "anomaly", "high", reason, evidence))
    return found


def _low_battery(machine: Equipment) -> list[dict[str, Any]]:
    if machine.battery_pct is None or float(machine.battery_pct) >= LOW_BATTERY_PCT:
        return []
    evidence = {"battery_pct": float(machine.battery_pct), "threshold_pct": LOW_BATTERY_PCT}
    return [_item(machine, "low_battery", "medium", "The sensor's battery is low.", evidence)]


def _utilisation(machine: Equipment) -> float:
    return _daily_hours(machine) / 24


def _usage_outliers(
    machine: Equipment, fleet: list[Equipment], utilisation: dict[str, float]
) -> list[dict[str, Any]]:
    peers = [
        utilisation[m.equipment_id]
        for m in fleet
        if m.kind == machine.kind and m.equipment_id != machine.equipment_id
    ]
    if not peers or machine.messages_total == 0:
        return []
    own, average = utilisation[machine.equipment_id], mean(peers)
    evidence = {
        "utilisation_7d": round(own, 3),
        "same_kind_average_7d": round(average, 3),
        "peers": len(peers),
    }
    if average > 0 and own < 0.25 * average:
        return [
            _item(
                machine,
                "under_used",
                "low",
                "Used far less than others of its kind: move or promote it.",
                evidence,
            )
        ]
    if average > 0 and own > 2 * average:
        return [
            _item(
                machine,
                "over_used",
                "low",
                "Used far more than others of its kind: spread the load.",
                evidence,
            )
        ]
    return []
