"""GET /me/insights: the member's training, analysed and explained, from their training entries.

The events consumer keeps one training entry per activity (`track` on ActivityLogged, `untrack` on
ActivityDeleted; both safe to repeat, and in either order); insights read the entries of the weeks
asked for (one query, at least WINDOW_DAYS so the 28-day and three-week figures are whole) and the
member's records (a second query): the cost does not grow with the length of the history.

Days are the member's own (their profile's time zone). Figures (training.py has the formulas):
weekly totals, acute and chronic load and ACWR, monotony and strain of the last 7 days, the streak,
sets per muscle over the last 7 days (a secondary muscle counts half a set), and recommendations,
each with the figures it rests on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from pynamodb.exceptions import TransactWriteError

from fitconnect.coaching import catalogue, records, training
from fitconnect.coaching.models import Activity, TrainingEntry
from fitconnect.members import public as members
from fitconnect.platform import clock
from fitconnect.platform.contract import View
from fitconnect.platform.storage import get_item, plain_map, transact_write

DEFAULT_WEEKS, MAX_WEEKS = 8, 52
WINDOW_DAYS = 56  # 28 days of chronic load, three weeks back, and a margin
PUSH = ("horizontal_push", "vertical_push")
PULL = ("horizontal_pull", "vertical_pull")
IMBALANCE_RATIO = 1.5  # push:pull (or pull:push) over 28 days, from at least IMBALANCE_MIN_SETS
QUAD_HAMSTRING_RATIO = 2.0  # quads:hamstrings sets over 28 days
IMBALANCE_MIN_SETS = 12
SPIKE_ACWR = 1.5
DETRAINING_WEEKS = 3
DETRAINING_DROP = 0.10  # chronic load down by at least 10 % over the three weeks, every week lower
NO_REST_DAYS = 7
STALLED_SESSIONS = 4  # no e1RM gain over the best before them in this many sessions of a lift


class WeekTotalsView(View):
    week_start: str
    sessions: int
    duration_s: int
    distance_m: float
    load: float


class TrainingLoadView(View):
    acute_7d: float
    chronic_28d: float
    acwr: float | None
    status: str


class RecommendationView(View):
    code: str
    message: str
    reason: str
    evidence: dict[str, Any]


class InsightsView(View):
    weeks: list[WeekTotalsView]
    training_load: TrainingLoadView
    monotony: float | None
    strain: float | None
    streak_days: int
    personal_records: list[dict[str, Any]]
    muscle_volume: dict[str, float]
    recommendations: list[RecommendationView]


# -- keeping the entries (the events consumer)


def entry_of(activity: Activity) -> TrainingEntry:
    muscles: dict[str, float] = defaultdict(float)
    patterns: dict[str, float] = defaultdict(float)
    lifts: dict[str, dict[str, Any]] = {}
    for entry in activity.sets or []:
        exercise = catalogue.exercise(str(entry["exercise_id"]))
        for muscle in exercise["primary_muscles"]:
            muscles[muscle] += 1
        for muscle in exercise["secondary_muscles"]:
            muscles[muscle] += 0.5
        patterns[exercise["pattern"]] += 1
        reps, weight = int(entry["reps"]), float(entry.get("weight_kg") or 0)
        lift = lifts.setdefault(exercise["exercise_id"], {"e1rm": 0.0, "sets": []})
        lift["sets"].append([reps, weight])
        if weight:
            lift["e1rm"] = max(lift["e1rm"], training.estimated_1rm(weight, reps))
    return TrainingEntry(
        *TrainingEntry.key(activity.user_id, activity.started_at, activity.activity_id),
        user_id=activity.user_id,
        activity_id=activity.activity_id,
        type=activity.type,
        started_at=activity.started_at,
        duration_s=activity.duration_s,
        distance_m=activity.distance_m,
        load=activity.load,
        muscle_sets=dict(muscles),
        pattern_sets=dict(patterns),
        lifts=lifts,
    )


def track(activity_id: str) -> bool:
    """The activity's entry, written if the activity still exists (checked in the same transaction,
    so an entry never outlives a deletion that raced it). False when it was deleted."""
    activity = get_item(Activity, Activity.key(activity_id), consistent=True)
    if activity is None:
        return False
    try:
        with transact_write() as transaction:
            transaction.condition_check(Activity, *Activity.key(activity_id), condition=Activity.pk.exists())
            transaction.save(entry_of(activity))
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def untrack(user_id: str, started_at: str, activity_id: str) -> None:
    TrainingEntry(*TrainingEntry.key(user_id, started_at, activity_id)).delete()


def entries_since(user_id: str, since: datetime) -> list[TrainingEntry]:
    """The member's entries of activities started at or after `since`, oldest first."""
    low = f"DAY#{clock.to_iso(since)}"
    return list(TrainingEntry.query(f"MEMBER#{user_id}", TrainingEntry.sk.between(low, "DAY#~")))


# -- the analysis


def insights(user_id: str, weeks: int = DEFAULT_WEEKS) -> dict[str, Any]:
    zone = ZoneInfo(members.timezone_of(user_id))
    today = clock.now().astimezone(zone).date()
    first_week = clock.monday_of(today) - timedelta(weeks=weeks - 1)
    window_start = min(first_week, today - timedelta(days=WINDOW_DAYS - 1))
    since = datetime.combine(window_start, time.min, tzinfo=zone)
    days = _by_day(entries_since(user_id, since), zone)
    loads = {day: sum(float(e.load) for e in entries) for day, entries in days.items()}
    monotony, strain = training.monotony_and_strain(training.daily_series(loads, today, 7))
    analysis = {
        "weeks": [_week(days, first_week + timedelta(weeks=n)) for n in range(weeks)],
        "training_load": training.training_load(loads, today),
        "monotony": monotony,
        "strain": strain,
        "streak_days": training.streak_days(set(days), today),
        "personal_records": records.views(records.of_member(user_id)),
        "muscle_volume": _muscle_sets(days, today, 7),
    }
    analysis["recommendations"] = recommendations(days, loads, today, analysis["training_load"])
    return analysis


def _by_day(entries: Iterable[TrainingEntry], zone: ZoneInfo) -> dict[date, list[TrainingEntry]]:
    days: dict[date, list[TrainingEntry]] = defaultdict(list)
    for entry in entries:
        days[clock.parse(entry.started_at).astimezone(zone).date()].append(entry)
    return dict(days)


def _week(days: dict[date, list[TrainingEntry]], start: date) -> dict[str, Any]:
    entries = [e for offset in range(7) for e in days.get(start + timedelta(days=offset), [])]
    return {
        "week_start": start.isoformat(),
        "sessions": len(entries),
        "duration_s": int(sum(float(e.duration_s) for e in entries)),
        "distance_m": round(sum(float(e.distance_m or 0) for e in entries), 1),
        "load": round(sum(float(e.load) for e in entries), 1),
    }


def _in_last(days: dict[date, list[TrainingEntry]], today: date, count: int) -> list[TrainingEntry]:
    return [e for back in range(count) for e in days.get(today - timedelta(days=back), [])]


def _summed(entries: Iterable[TrainingEntry], attribute: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for entry in entries:
        for name, sets in plain_map(getattr(entry, attribute)).items():
            totals[name] += float(sets)
    return {name: round(value, 1) for name, value in sorted(totals.items())}


def _muscle_sets(days: dict[date, list[TrainingEntry]], today: date, count: int) -> dict[str, float]:
    return _summed(_in_last(days, today, count), "muscle_sets")


# -- recommendations: each names the figures it rests on


def recommendations(
    days: dict[date, list[TrainingEntry]], loads: dict[date, float], today: date, load: dict[str, Any]
) -> list[dict[str, Any]]:
    found = [
        _load_spike(load),
        _detraining(loads, today),
        _no_rest_day(set(days), today),
        *_imbalances(_in_last(days, today, 28)),
        *_stalled_lifts(days),
    ]
    return [recommendation for recommendation in found if recommendation]


def _advice(code: str, message: str, reason: str, **evidence: Any) -> dict[str, Any]:
    return {"code": code, "message": message, "reason": reason, "evidence": evidence}


def _load_spike(load: dict[str, Any]) -> dict[str, Any] | None:
    ratio = load["acwr"]
    if ratio is None or ratio <= SPIKE_ACWR:
        return None
    return _advice(
        "load_spike",
        "Ease off for a few days: this week's training is far above what you are used to.",
        f"Your acute:chronic workload ratio is {ratio} (7-day mean load {load['acute_7d']} against "
        f"28-day mean {load['chronic_28d']}); above {SPIKE_ACWR} the risk of injury rises sharply "
        "(Gabbett 2016).",
        acwr=ratio,
        acute_7d=load["acute_7d"],
        chronic_28d=load["chronic_28d"],
        threshold=SPIKE_ACWR,
    )


def _detraining(loads: dict[date, float], today: date) -> dict[str, Any] | None:
    weekly = [
        training.training_load(loads, today - timedelta(weeks=back))["chronic_28d"]
        for back in range(DETRAINING_WEEKS, -1, -1)
    ]
    falling = all(later < earlier for earlier, later in pairwise(weekly))
    if not falling or weekly[0] <= 0 or weekly[-1] > weekly[0] * (1 - DETRAINING_DROP):
        return None
    return _advice(
        "detraining",
        "Your fitness base is shrinking: add a session or two a week to hold on to it.",
        f"Your 28-day mean load has fallen for {DETRAINING_WEEKS} weeks in a row, "
        f"from {weekly[0]} to {weekly[-1]}.",
        chronic_28d_by_week=weekly,
    )


def _no_rest_day(active_days: set[date], today: date) -> dict[str, Any] | None:
    run = training.streak_days(active_days, today)
    if run < NO_REST_DAYS:
        return None
    return _advice(
        "no_rest_day",
        "Take a rest day: muscles adapt while they recover.",
        f"You have trained {run} days in a row; more than {NO_REST_DAYS - 1} without rest raises "
        "fatigue and injury risk.",
        days_in_a_row=run,
    )


def _imbalances(entries: list[TrainingEntry]) -> list[dict[str, Any] | None]:
    patterns, muscles = _summed(entries, "pattern_sets"), _summed(entries, "muscle_sets")
    push, pull = sum(patterns.get(p, 0.0) for p in PUSH), sum(patterns.get(p, 0.0) for p in PULL)
    quads, hamstrings = muscles.get("quads", 0.0), muscles.get("hamstrings", 0.0)
    return [
        _imbalance("push", push, "pull", pull, IMBALANCE_RATIO),
        _imbalance("pull", pull, "push", push, IMBALANCE_RATIO),
        _imbalance("quads", quads, "hamstrings", hamstrings, QUAD_HAMSTRING_RATIO),
    ]


def _imbalance(more: str, many: float, fewer: str, few: float, ratio: float) -> dict[str, Any] | None:
    if many < IMBALANCE_MIN_SETS or many < ratio * few:
        return None
    return _advice(
        "muscle_imbalance",
        f"Balance your training: add {fewer} work to match your {more} work.",
        f"In the last 28 days you did {many:g} sets of {more} work against {few:g} of {fewer}, "
        f"more than {ratio:g} to 1.",
        **{f"{more}_sets": many, f"{fewer}_sets": few, "ratio_limit": ratio, "days": 28},
    )


def _stalled_lifts(days: dict[date, list[TrainingEntry]]) -> list[dict[str, Any]]:
    sessions: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for entry in sorted((e for entries in days.values() for e in entries), key=lambda e: e.started_at):
        for exercise_id, lift in plain_map(entry.lifts).items():
            if float(lift.get("e1rm") or 0):
                sessions[exercise_id].append((entry.started_at, float(lift["e1rm"])))
    stalled = []
    for exercise_id, history in sorted(sessions.items()):
        if len(history) <= STALLED_SESSIONS:
            continue
        best_before = max(e1rm for _, e1rm in history[:-STALLED_SESSIONS])
        recent = [e1rm for _, e1rm in history[-STALLED_SESSIONS:]]
        if max(recent) <= best_before:
            stalled.append(_stalled(exercise_id, best_before, recent))
    return stalled


def _stalled(exercise_id: str, best_before: float, recent: list[float]) -> dict[str, Any]:
    name = catalogue.exercise(exercise_id)["name"]
    figures = ", ".join(f"{value:g}" for value in recent)
    return _advice(
        "stalled_lift",
        f"{name} has stalled: deload by 10 % for a week, or switch to a variation.",
        f"Your estimated 1RM in the last {STALLED_SESSIONS} sessions ({figures} kg) "
        f"has not beaten your earlier best of {best_before:g} kg.",
        exercise_id=exercise_id,
        recent_e1rm_kg=recent,
        best_before_kg=best_before,
    )


def week_in_review(user_id: str, monday: date | None = None) -> dict[str, Any]:
    """One week of the member's training (their local week starting `monday`; this week when None),
    as the weekly summary and the chatbot tell it: totals, load status, records set in it and the
    first recommendation."""
    analysis = insights(user_id, weeks=2)
    weeks = {week["week_start"]: week for week in analysis["weeks"]}
    week = weeks[monday.isoformat()] if monday is not None else analysis["weeks"][-1]
    start = date.fromisoformat(week["week_start"])
    records_set = [
        record
        for record in analysis["personal_records"]
        if start <= date.fromisoformat(record["achieved_at"][:10]) < start + timedelta(days=7)
    ]
    advice = analysis["recommendations"][0]["message"] if analysis["recommendations"] else None
    return {
        **week,
        "acwr": analysis["training_load"]["acwr"],
        "status": analysis["training_load"]["status"],
        "records": len(records_set),
        "advice": advice,
    }
