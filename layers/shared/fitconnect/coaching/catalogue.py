"""The exercise catalogue: data the project ships (`exercises.json`, versioned, written for
FitConnect), read from the layer once per process — no table, no AWS call.

Each exercise has a category (strength, core, plyometric, cardio, mobility), a movement `pattern`
(squat, hinge, lunge, horizontal/vertical push and pull, carry, core, isolation, power, cardio,
mobility: what the personal trainer balances), primary and secondary muscles, and the equipment it
needs, named as the gym's equipment registry names its kinds (`treadmill`, `rower`, `bike`, ...)
plus `bodyweight`, `barbell`, `dumbbell`, `kettlebell`, `cable`, `band` and the machines.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fitconnect.platform.contract import View
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.errors import BadRequest, NotFound

CATALOGUE_FILE = Path(__file__).with_name("exercises.json")
LISTING = {"pk": {"S": "EXERCISES"}}  # the cursor's partition: the catalogue, ordered by name
CACHEABLE = {"Cache-Control": "public, max-age=3600"}  # the same for everyone until the next deploy


class ExerciseView(View):
    exercise_id: str
    name: str
    category: str
    pattern: str
    primary_muscles: list[str]
    secondary_muscles: list[str]
    equipment: list[str]


@cache
def _catalogue() -> dict[str, dict[str, Any]]:
    document = json.loads(CATALOGUE_FILE.read_text())
    ordered = sorted(
        document["exercises"], key=lambda exercise: (exercise["name"].lower(), exercise["exercise_id"])
    )
    return {exercise["exercise_id"]: exercise for exercise in ordered}


def exercise(exercise_id: str) -> dict[str, Any]:
    found = _catalogue().get(exercise_id)
    if found is None:
        raise NotFound("No such exercise.", code="exercise_not_found")
    return dict(found)


def all_exercises() -> list[dict[str, Any]]:
    """Every exercise, by name (read-only: the catalogue's own dicts)."""
    return list(_catalogue().values())


def exists(exercise_id: str) -> bool:
    return exercise_id in _catalogue()


@cache
def muscles() -> frozenset[str]:
    return frozenset(m for e in _catalogue().values() for m in e["primary_muscles"] + e["secondary_muscles"])


@cache
def equipment_kinds() -> frozenset[str]:
    return frozenset(kind for e in _catalogue().values() for kind in e["equipment"])


def listing(
    *, muscle: str | None, equipment: str | None, q: str | None, limit: int | None, cursor: str | None
) -> dict[str, Any]:
    """A page of exercises by name, filtered by a muscle (primary or secondary), a piece of
    equipment and words in the name; an unknown muscle or equipment is a 400 naming the known ones."""
    _known("muscle", muscle, muscles())
    _known("equipment", equipment, equipment_kinds())
    request = page_request(limit, cursor, bound_to=LISTING)
    after = request.start_key["sk"]["S"] if request.start_key else None
    words = (q or "").lower().split()
    chosen, last = [], None
    for exercise_id, exercise in _catalogue().items():
        if after is not None:
            after = None if exercise_id == after else after
            continue
        if _matches(exercise, muscle, equipment, words):
            if len(chosen) == request.limit:
                return page(chosen, {**LISTING, "sk": {"S": last}})
            chosen.append(dict(exercise))
            last = exercise_id
    return page(chosen, None)


def _matches(exercise: dict[str, Any], muscle: str | None, equipment: str | None, words: list[str]) -> bool:
    worked = exercise["primary_muscles"] + exercise["secondary_muscles"]
    return (
        (muscle is None or muscle in worked)
        and (equipment is None or equipment in exercise["equipment"])
        and all(word in exercise["name"].lower() for word in words)
    )


def _known(field: str, value: str | None, known: frozenset[str]) -> None:
    if value is not None and value not in known:
        raise BadRequest(
            f"Unknown {field} {value!r}.",
            code="validation_failed",
            details=[{"field": field, "in": "query", "message": f"one of: {', '.join(sorted(known))}"}],
        )
