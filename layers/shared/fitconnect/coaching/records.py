"""Personal records: for each exercise the best estimated 1RM (Epley), the heaviest weight and the
most reps in a set; for each endurance type the longest distance and the best pace (over at least
1 km). Each points at the activity that set it. A record only ever improves, by a conditional
write, so two activities logged at once cannot overwrite a better one with a worse one; deleting
the activity that holds a record gives it to the best remaining one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fitconnect.coaching import training
from fitconnect.coaching.models import Activity, Record
from fitconnect.platform.storage import conditional_delete, conditional_save, conditional_update

MIN_PACE_DISTANCE_M = 1000
LOWER_IS_BETTER = {"best_pace_s_per_km"}


def candidates(activity: Activity) -> dict[tuple[str, str], float]:
    """(metric, subject) → the activity's best value for it."""
    best: dict[tuple[str, str], float] = {}
    for entry in activity.sets or []:
        exercise_id, reps = str(entry["exercise_id"]), int(entry["reps"])
        weight = entry.get("weight_kg")
        _keep(best, ("most_reps", exercise_id), reps)
        if weight:
            _keep(best, ("heaviest_kg", exercise_id), float(weight))
            _keep(best, ("e1rm_kg", exercise_id), training.estimated_1rm(float(weight), reps))
    distance = float(activity.distance_m or 0)
    if distance > 0 and activity.type != "strength":
        _keep(best, ("longest_distance_m", activity.type), distance)
        if distance >= MIN_PACE_DISTANCE_M:
            pace = round(float(activity.duration_s) / (distance / 1000), 1)
            _keep(best, ("best_pace_s_per_km", activity.type), pace)
    return best


def _keep(best: dict[tuple[str, str], float], key: tuple[str, str], value: float) -> None:
    current = best.get(key)
    if current is None or _better(key[0], value, current):
        best[key] = value


def _better(metric: str, value: float, than: float) -> bool:
    return value < than if metric in LOWER_IS_BETTER else value > than


def set_from(activity: Activity) -> list[Record]:
    """The records `activity` beats (or sets first), written; the ones it did not beat are left."""
    won = []
    for (metric, subject), value in candidates(activity).items():
        record = Record(
            *Record.key(activity.user_id, metric, subject),
            user_id=activity.user_id,
            metric=metric,
            subject=subject,
            value=value,
            activity_id=activity.activity_id,
            achieved_at=activity.started_at,
        )
        beaten = Record.value > value if metric in LOWER_IS_BETTER else Record.value < value
        if conditional_save(record, Record.pk.does_not_exist() | beaten):
            won.append(record)
    return won


def of_member(user_id: str) -> list[Record]:
    return list(Record.query(f"MEMBER#{user_id}", Record.sk.startswith("RECORD#")))


def reassign(user_id: str, deleted_activity_id: str, remaining: Iterable[Activity]) -> None:
    """The records the deleted activity held go to the best remaining activity, or away."""
    held = [record for record in of_member(user_id) if record.activity_id == deleted_activity_id]
    if not held:
        return
    best: dict[tuple[str, str], tuple[float, Activity]] = {}
    for activity in remaining:
        for key, value in candidates(activity).items():
            if key not in best or _better(key[0], value, best[key][0]):
                best[key] = (value, activity)
    for record in held:
        found = best.get((record.metric, record.subject))
        still_held = Record.activity_id == deleted_activity_id  # a new record meanwhile stays
        if found is None:
            conditional_delete(record, still_held)
            continue
        value, activity = found
        actions = [
            Record.value.set(value),
            Record.activity_id.set(activity.activity_id),
            Record.achieved_at.set(activity.started_at),
        ]
        conditional_update(record, actions, still_held)


def views(records: Iterable[Record]) -> list[dict[str, Any]]:
    return [record.view() for record in records]
