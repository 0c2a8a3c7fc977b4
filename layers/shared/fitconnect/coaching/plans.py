"""The AI personal trainer: a rule-based 4-week plan, and the next workout's targets adapted to what
the member logged. No hosted model: every choice follows a stated rule, so the plan explains itself
(`rationale`) and the same inputs and history give the same plan.

- Split by days a week: 2-3 full body, 4 upper/lower, 5 push/pull/legs/upper/lower, 6 push/pull/legs
  twice. Each focus lists movement-pattern slots in priority order (main lifts first); as many are
  filled as the session's minutes hold (SETUP_S per exercise, WORK_S per set, plus the rest).
- Sets x reps and rest by goal (SCHEMES), a set fewer for beginners and one more for advanced
  lifters; week 4 is a deload (a set fewer, same weights).
- Each slot takes an exercise from the catalogue whose equipment the member has (their list, or the
  gym's registered equipment kinds, plus bodyweight) and that works no muscle they avoid: a lift the
  member has a record in if there is one, else a choice seeded by the member and the request among
  the best three (staples first, then the equipment that suits the goal).
- Starting weights: from the member's estimated 1RM for the exercise (Epley, inverted at the middle of
  the rep range, rounded down to 2.5 kg), else the first logged session's weight.
- Progression (double progression), applied in order to each logged session of the exercise since
  the plan began: every working set at the top of the range: + 2.5 kg (upper body) or + 5 kg (squat,
  hinge, lunge); more reps than the session before: hold; otherwise the session stalled, and after
  STALLS_BEFORE_DELOAD stalled sessions in a row the weight drops by 10 %.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from fitconnect.coaching import catalogue, insights, records
from fitconnect.coaching.models import Plan, Record, TrainingEntry
from fitconnect.platform import clock, ids
from fitconnect.platform.contract import RequestBody, View
from fitconnect.platform.errors import NotFound, Unprocessable
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import get_item, plain_map

Goal = Literal["strength", "hypertrophy", "endurance", "general_fitness"]
Experience = Literal["beginner", "intermediate", "advanced"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z_]+$")]

WEEKS = 4
DELOAD_WEEK = 4
WARM_UP_S, SETUP_S, WORK_S = 600, 60, 40
MIN_EXERCISES = 3
STALLS_BEFORE_DELOAD = 3
DELOAD = 0.10
LOWER_BODY = {"squat", "hinge", "lunge"}
INCREMENT_KG = {"lower": 5.0, "upper": 2.5}
PLATE_KG = 2.5


@dataclass(frozen=True)
class Scheme:
    sets: int
    reps_min: int
    reps_max: int
    rest_s: int
    why: str


SCHEMES = {
    "strength": Scheme(4, 3, 6, 180, "heavy sets of 3-6 with long rests build maximal strength"),
    "hypertrophy": Scheme(3, 8, 12, 90, "moderate sets of 8-12 near failure build muscle"),
    "endurance": Scheme(2, 15, 20, 45, "light sets of 15-20 with short rests build muscular endurance"),
    "general_fitness": Scheme(3, 8, 12, 75, "sets of 8-12 build strength and muscle together"),
}
SET_CHANGE = {"beginner": -1, "intermediate": 0, "advanced": 1}

SPLITS = {
    2: ["full_body_a", "full_body_b"],
    3: ["full_body_a", "full_body_b", "full_body_c"],
    4: ["upper", "lower", "upper", "lower"],
    5: ["push", "pull", "legs", "upper", "lower"],
    6: ["push", "pull", "legs", "push", "pull", "legs"],
}
SPLIT_WHY = {
    2: "two days: full-body sessions train every movement twice a week",
    3: "three days: three full-body sessions, each leading with a different main lift",
    4: "four days: upper/lower, each half of the body twice a week",
    5: "five days: push/pull/legs, then upper/lower",
    6: "six days: push/pull/legs twice, each muscle twice a week",
}
# A slot is a movement pattern, or "isolation:<muscle>" for a single-joint exercise of that muscle.
SLOTS = {
    "full_body_a": ["squat", "horizontal_push", "horizontal_pull", "hinge", "vertical_push", "core"],
    "full_body_b": ["hinge", "vertical_push", "vertical_pull", "lunge", "horizontal_push", "core"],
    "full_body_c": ["lunge", "horizontal_push", "vertical_pull", "squat", "horizontal_pull", "core"],
    "upper": [
        "horizontal_push",
        "horizontal_pull",
        "vertical_push",
        "vertical_pull",
        "isolation:biceps",
        "isolation:triceps",
    ],
    "lower": ["squat", "hinge", "lunge", "isolation:hamstrings", "isolation:calves", "core"],
    "push": [
        "horizontal_push",
        "vertical_push",
        "isolation:chest",
        "isolation:triceps",
        "isolation:side_delts",
    ],
    "pull": ["vertical_pull", "horizontal_pull", "isolation:rear_delts", "isolation:biceps", "core"],
    "legs": ["squat", "hinge", "lunge", "isolation:quads", "isolation:calves", "core"],
}
# Which equipment suits a goal best (first is best); what is not listed ranks after.
PREFERRED = {
    "strength": ["barbell", "trap_bar", "dumbbell", "kettlebell", "cable", "smith_machine"],
    "hypertrophy": ["dumbbell", "cable", "barbell", "machine"],
    "endurance": ["kettlebell", "dumbbell", "bodyweight", "band", "cable"],
    "general_fitness": ["dumbbell", "kettlebell", "barbell", "bodyweight", "cable"],
}


# The staples of each pattern, the lifts coaches build programmes on: ranked before the rest.
STAPLES = {
    "barbell-back-squat", "barbell-front-squat", "goblet-squat-dumbbell", "goblet-squat-kettlebell",
    "dumbbell-squat", "leg-press", "bodyweight-squat",
    "conventional-deadlift", "romanian-deadlift-barbell", "romanian-deadlift-dumbbell", "trap-bar-deadlift",
    "kettlebell-swing", "hip-thrust-barbell", "glute-bridge",
    "walking-lunge-dumbbell", "bulgarian-split-squat-dumbbell", "reverse-lunge-dumbbell", "barbell-lunge",
    "bulgarian-split-squat-bodyweight", "bodyweight-lunge",
    "barbell-bench-press", "dumbbell-bench-press", "incline-dumbbell-bench-press", "push-up",
    "floor-press-dumbbell", "machine-chest-press",
    "barbell-bent-over-row", "one-arm-dumbbell-row", "seated-cable-row", "chest-supported-dumbbell-row",
    "inverted-row", "kettlebell-row",
    "overhead-press-barbell", "standing-dumbbell-shoulder-press", "seated-dumbbell-shoulder-press",
    "kettlebell-overhead-press", "pike-push-up",
    "pull-up", "chin-up", "lat-pulldown", "assisted-pull-up", "banded-lat-pulldown",
    "plank", "dead-bug", "hanging-knee-raise", "pallof-press", "side-plank",
}  # fmt: skip


class PlanRequest(RequestBody):
    goal: Goal
    days_per_week: int = Field(ge=2, le=6)
    minutes_per_session: int = Field(ge=20, le=120)
    experience: Experience
    equipment: list[Name] | None = Field(default=None, max_length=60)
    avoid_muscles: list[Name] = Field(default_factory=list, max_length=20)


class PlannedExerciseView(View):
    exercise_id: str
    name: str
    sets: int
    reps: int
    reps_max: int
    target_weight_kg: float | None = None
    rest_s: int
    reason: str | None = None


class PlannedWorkoutView(View):
    day: int
    focus: str
    exercises: list[PlannedExerciseView]


class PlanWeekView(View):
    week: int
    workouts: list[PlannedWorkoutView]


class NextWorkoutView(PlannedWorkoutView):
    week: int
    workouts_done: int
    reason: str


class PlanView(View):
    plan_id: str
    created_at: str
    request: dict[str, Any]
    equipment: list[str]
    weeks: list[PlanWeekView]
    rationale: list[str]
    next_workout: NextWorkoutView | None = None


class PlanGenerated(DomainEvent):
    source = "fitconnect.coaching"
    detail_type = "PlanGenerated"
    user_id: str
    plan_id: str
    goal: str
    days_per_week: int


# -- making a plan


def generate(user_id: str, request: PlanRequest, gym_equipment: set[str]) -> dict[str, Any]:
    """The member's new plan (replacing the one before), stored and announced; the 201's body."""
    _check_known(request)
    document = plan_for(user_id, request, gym_equipment, records.of_member(user_id))
    plan = Plan(
        *Plan.key(user_id),
        user_id=user_id,
        plan_id=ids.new_id(),
        request=request.model_dump(),
        document=json.dumps(document),
        created_at=clock.now_iso(),
    )
    plan.save()
    publish(
        [
            PlanGenerated(
                user_id=user_id,
                plan_id=plan.plan_id,
                goal=request.goal,
                days_per_week=request.days_per_week,
            )
        ]
    )
    return _view(plan)


def _check_known(request: PlanRequest) -> None:
    problems = [
        {"field": f"equipment[{index}]", "message": "is not equipment the catalogue knows"}
        for index, name in enumerate(request.equipment or [])
        if name not in catalogue.equipment_kinds()
    ]
    problems += [
        {"field": f"avoid_muscles[{index}]", "message": "is not a muscle the catalogue knows"}
        for index, name in enumerate(request.avoid_muscles)
        if name not in catalogue.muscles()
    ]
    if problems:
        raise Unprocessable("The plan asks for something the catalogue does not know.", details=problems)


def plan_for(
    user_id: str, request: PlanRequest, gym_equipment: set[str], known: list[Record]
) -> dict[str, Any]:
    """The plan as a pure function of the member, the request, the equipment and their records."""
    equipment = sorted(
        {"bodyweight", *(request.equipment if request.equipment is not None else gym_equipment)}
    )
    scheme = SCHEMES[request.goal]
    sets = max(2, scheme.sets + SET_CHANGE[request.experience])
    best_e1rm = {r.subject: float(r.value) for r in known if r.metric == "e1rm_kg"}
    seed = _seed(user_id, request)
    missing: list[str] = []
    workouts = []
    for day, focus in enumerate(SPLITS[request.days_per_week], start=1):
        chosen = _fill(focus, request, set(equipment), seed, sets, scheme, missing, set(best_e1rm))
        exercises = [_target(exercise, sets, scheme, best_e1rm) for exercise in chosen]
        workouts.append({"day": day, "focus": focus, "exercises": exercises})
    weeks = [
        {"week": week, "workouts": _deloaded(workouts) if week == DELOAD_WEEK else workouts}
        for week in range(1, WEEKS + 1)
    ]
    return {
        "equipment": equipment,
        "weeks": weeks,
        "rationale": _rationale(request, scheme, sets, equipment, missing, best_e1rm),
    }


def _seed(user_id: str, request: PlanRequest) -> int:
    canonical = json.dumps([user_id, request.model_dump()], sort_keys=True)
    return int(hashlib.sha256(canonical.encode()).hexdigest()[:16], 16)


def _fill(
    focus: str,
    request: PlanRequest,
    equipment: set[str],
    seed: int,
    sets: int,
    scheme: Scheme,
    missing: list[str],
    known: set[str],
) -> list[dict[str, Any]]:
    budget = request.minutes_per_session * 60 - WARM_UP_S
    per_exercise = SETUP_S + sets * (WORK_S + scheme.rest_s)
    room = max(MIN_EXERCISES, budget // per_exercise)
    chosen: list[dict[str, Any]] = []
    for slot in SLOTS[focus]:
        if len(chosen) >= room:
            break
        candidates = _candidates(slot, request, equipment, {e["exercise_id"] for e in chosen}, known)
        if not candidates:
            if slot not in missing:
                missing.append(slot)
            continue
        if candidates[0]["exercise_id"] in known:  # a lift the member has a record in: keep building it
            chosen.append(candidates[0])
            continue
        best = candidates[:3]
        pool = [exercise for exercise in best if exercise["exercise_id"] in STAPLES] or best
        picker = random.Random(f"{seed}:{focus}:{slot}")  # seeded: the same request, the same choice
        chosen.append(picker.choice(pool))
    return chosen


def _candidates(
    slot: str, request: PlanRequest, equipment: set[str], taken: set[str], known: set[str]
) -> list[dict[str, Any]]:
    """The exercises that fit the slot, best first: lifts the member has records in, then the
    staples, each by how well their equipment suits the goal."""
    pattern, _, muscle = slot.partition(":")
    avoided = set(request.avoid_muscles)
    found = [
        exercise
        for exercise in catalogue.all_exercises()
        if exercise["pattern"] == pattern
        and exercise["category"] in ("strength", "core")
        and (not muscle or muscle in exercise["primary_muscles"])
        and set(exercise["equipment"]) <= equipment
        and not avoided & set(exercise["primary_muscles"] + exercise["secondary_muscles"])
        and exercise["exercise_id"] not in taken
    ]
    preference = PREFERRED[request.goal]

    def rank(exercise: dict[str, Any]) -> tuple[bool, bool, int, str]:
        exercise_id = exercise["exercise_id"]
        places = [preference.index(kind) for kind in exercise["equipment"] if kind in preference]
        suited = min(places) if places else len(preference)
        return (exercise_id not in known, exercise_id not in STAPLES, suited, exercise_id)

    return sorted(found, key=rank)


def _target(
    exercise: dict[str, Any], sets: int, scheme: Scheme, best_e1rm: dict[str, float]
) -> dict[str, Any]:
    target: dict[str, Any] = {
        "exercise_id": exercise["exercise_id"],
        "name": exercise["name"],
        "sets": sets,
        "reps": scheme.reps_min,
        "reps_max": scheme.reps_max,
        "rest_s": scheme.rest_s,
    }
    e1rm = best_e1rm.get(exercise["exercise_id"])
    if e1rm and "bodyweight" not in exercise["equipment"]:
        middle = (scheme.reps_min + scheme.reps_max) / 2
        target["target_weight_kg"] = _plates(e1rm / (1 + middle / 30))
    return target


def _plates(kg: float) -> float:
    return math.floor(kg / PLATE_KG) * PLATE_KG


def _deloaded(workouts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**w, "exercises": [{**e, "sets": max(1, e["sets"] - 1)} for e in w["exercises"]]} for w in workouts
    ]


def _rationale(
    request: PlanRequest,
    scheme: Scheme,
    sets: int,
    equipment: list[str],
    missing: list[str],
    best_e1rm: dict[str, float],
) -> list[str]:
    source = "the equipment you listed" if request.equipment is not None else "the gym's registered equipment"
    lines = [
        f"Split: {SPLIT_WHY[request.days_per_week]}.",
        f"Goal {request.goal.replace('_', ' ')}: {scheme.why}; {sets} sets per exercise at the "
        f"{request.experience} level, {scheme.rest_s} s rest.",
        f"{request.minutes_per_session} minutes: 10 minutes of warm-up, then as many exercises as fit, "
        "main lifts first.",
        f"Exercises use only {source} and bodyweight: {', '.join(equipment)}.",
        f"Week {DELOAD_WEEK} is a deload: one set fewer at the same weights, to recover before the "
        "next block.",
        "Progression: when every set reaches the top of the range the weight goes up (2.5 kg upper body, "
        f"5 kg lower body); after {STALLS_BEFORE_DELOAD} sessions without progress it drops by 10 %.",
    ]
    if request.avoid_muscles:
        lines.append(f"No exercise works {', '.join(request.avoid_muscles)}, as you asked.")
    if best_e1rm:
        lines.append(
            "Starting weights come from your estimated 1RMs (Epley), at the middle of the rep range."
        )
    else:
        lines.append("No 1RM on record yet: your first session's weights become the starting weights.")
    if missing:
        lines.append(f"Nothing in the catalogue fits these slots with your equipment: {', '.join(missing)}.")
    return lines


# -- reading it back, with the next workout adapted


def stored(user_id: str) -> dict[str, Any] | None:
    """The member's plan as made (no next workout), or None."""
    plan = get_item(Plan, Plan.key(user_id), consistent=True)
    return None if plan is None else _view(plan)


def current(user_id: str) -> dict[str, Any]:
    view = stored(user_id)
    if view is None:
        raise NotFound("No plan yet: POST /me/plan makes one.", code="plan_not_found")
    sessions = insights.entries_since(user_id, clock.parse(view["created_at"]))
    view["next_workout"] = next_workout(view, sessions)
    return view


def _view(plan: Plan) -> dict[str, Any]:
    document = json.loads(plan.document)
    return {
        "plan_id": plan.plan_id,
        "created_at": plan.created_at,
        "request": plain_map(plan.request),
        **document,
        "next_workout": None,
    }


def next_workout(plan: dict[str, Any], sessions: list[TrainingEntry]) -> dict[str, Any] | None:
    """The workout after the ones logged since the plan began, each exercise's target following
    the progression rule over the member's sessions of it. None when the plan is done."""
    planned = {e["exercise_id"] for w in plan["weeks"][0]["workouts"] for e in w["exercises"]}
    done = [s for s in sessions if planned & set(plain_map(s.lifts))]
    sequence = [(week["week"], workout) for week in plan["weeks"] for workout in week["workouts"]]
    if len(done) >= len(sequence):
        return None
    week, workout = sequence[len(done)]
    return {
        "week": week,
        "day": workout["day"],
        "focus": workout["focus"],
        "workouts_done": len(done),
        "reason": f"{len(done)} plan workout{'s' if len(done) != 1 else ''} logged since the plan began: "
        f"next is week {week}, day {workout['day']} ({focus_label(workout['focus'])}).",
        "exercises": [_progressed(target, done) for target in workout["exercises"]],
    }


def focus_label(focus: str) -> str:
    """`full_body_b` as a member reads it: "full body B"."""
    words = focus.split("_")
    if len(words[-1]) == 1:
        words[-1] = words[-1].upper()
    return " ".join(words)


def _progressed(target: dict[str, Any], sessions: list[TrainingEntry]) -> dict[str, Any]:
    exercise = catalogue.exercise(target["exercise_id"])
    increment = INCREMENT_KG["lower" if exercise["pattern"] in LOWER_BODY else "upper"]
    weight: float | None = target.get("target_weight_kg")
    reason = "From the plan." if weight is None else "The plan's starting weight, from your estimated 1RM."
    stalls, previous_reps = 0, None
    for session in sessions:
        lift = plain_map(session.lifts).get(target["exercise_id"])
        if not lift:
            continue
        sets = [(int(reps), float(kg)) for reps, kg in lift["sets"]]
        when = session.started_at[:10]
        if weight is None:
            weight = max(kg for _, kg in sets) or None
            if weight is None:
                reason = "Bodyweight: add reps, or a harder variation, as the sets get easy."
                continue
            reason = f"Your session on {when} at {weight:g} kg set the starting weight."
        working = [reps for reps, kg in sets if kg >= weight - 0.01]
        total = sum(working)
        if len(working) >= target["sets"] and min(working) >= target["reps_max"]:
            weight += increment
            reason = (
                f"All {len(working)} sets reached {target['reps_max']} reps on {when}: "
                f"+{increment:g} kg to {weight:g} kg (double progression)."
            )
            stalls, previous_reps = 0, None
        elif previous_reps is None or total > previous_reps:
            reason = (
                f"{total} reps at {weight:g} kg on {when}: hold the weight until every set "
                f"reaches {target['reps_max']}."
            )
            stalls, previous_reps = 0, total
        else:
            stalls, previous_reps = stalls + 1, total
            reason = (
                f"No more reps than last time on {when} ({stalls} session{'s' if stalls > 1 else ''} "
                f"without progress): hold {weight:g} kg."
            )
            if stalls >= STALLS_BEFORE_DELOAD:
                weight = _plates(weight * (1 - DELOAD))
                reason = (
                    f"{STALLS_BEFORE_DELOAD} sessions without progress (the last on {when}): "
                    f"deload by 10 % to {weight:g} kg."
                )
                stalls, previous_reps = 0, None
    progressed = {**target, "reason": reason}
    if weight is not None:
        progressed["target_weight_kg"] = round(weight, 1)
    return progressed
