"""The personal trainer's rules, pure: the plan from a request (split, scheme, equipment, avoided
muscles, seeded choice) and the progression of the next workout's targets over logged sessions."""

import pytest

from fitconnect.coaching import catalogue, plans
from fitconnect.coaching.models import Record, TrainingEntry
from fitconnect.coaching.plans import PlanRequest


def _request(**changes):
    equipment = ["barbell", "bench", "pull_up_bar"]
    defaults = {
        "goal": "strength",
        "days_per_week": 4,
        "minutes_per_session": 75,
        "experience": "intermediate",
    }
    return PlanRequest(**(defaults | {"equipment": equipment} | changes))


def _exercises(plan, week=0):
    return [e for w in plan["weeks"][week]["workouts"] for e in w["exercises"]]


@pytest.mark.parametrize(("days", "foci"), [
    (2, ["full_body_a", "full_body_b"]), (3, ["full_body_a", "full_body_b", "full_body_c"]),
    (4, ["upper", "lower", "upper", "lower"]), (5, ["push", "pull", "legs", "upper", "lower"]),
    (6, ["push", "pull", "legs", "push", "pull", "legs"]),
])  # fmt: skip
def test_the_split_follows_the_days_a_week(days, foci):
    plan = plans.plan_for("m", _request(days_per_week=days), set(), [])
    assert [w["focus"] for w in plan["weeks"][0]["workouts"]] == foci


def test_the_scheme_follows_goal_and_level_and_the_minutes_bound_the_exercises():
    strength = plans.plan_for("m", _request(), set(), [])
    assert {(e["sets"], e["reps"], e["reps_max"], e["rest_s"]) for e in _exercises(strength)} == {
        (4, 3, 6, 180)
    }
    beginner = plans.plan_for("m", _request(goal="endurance", experience="beginner"), set(), [])
    assert {(e["sets"], e["reps"], e["reps_max"], e["rest_s"]) for e in _exercises(beginner)} == {
        (2, 15, 20, 45)
    }
    # 75 min: 65 after warm-up; a strength exercise takes 60 + 4 x (40 + 180) = 940 s, so 4 fit.
    assert [len(w["exercises"]) for w in strength["weeks"][0]["workouts"]] == [4, 4, 4, 4]
    short = plans.plan_for("m", _request(minutes_per_session=20), set(), [])
    assert {len(w["exercises"]) for w in short["weeks"][0]["workouts"]} == {3}  # never fewer than 3


def test_no_exercise_needs_missing_equipment_or_works_an_avoided_muscle_and_gaps_are_said():
    plan = plans.plan_for("m", _request(equipment=["band"], avoid_muscles=["quads", "chest"]), set(), [])
    for planned in _exercises(plan):
        exercise = catalogue.exercise(planned["exercise_id"])
        assert set(exercise["equipment"]) <= {"band", "bodyweight"}
        assert not {"quads", "chest"} & set(exercise["primary_muscles"] + exercise["secondary_muscles"])
    assert any(line.startswith("Nothing in the catalogue fits") for line in plan["rationale"])


def test_the_gyms_equipment_is_used_when_the_member_lists_none():
    plan = plans.plan_for("m", _request(equipment=None), {"barbell", "bench"}, [])
    assert plan["equipment"] == ["barbell", "bench", "bodyweight"]


def test_the_same_request_gives_the_same_plan_and_another_member_may_get_other_choices():
    first, again = (plans.plan_for("m1", _request(), set(), []) for _ in range(2))
    assert first == again
    choices = {tuple(e["exercise_id"] for e in _exercises(plans.plan_for(f"m{n}", _request(), set(), [])))
               for n in range(12)}  # fmt: skip
    assert len(choices) > 1


def test_starting_weights_come_from_the_e1rm_at_the_middle_of_the_range():
    record = Record(*Record.key("m", "e1rm_kg", "barbell-back-squat"), metric="e1rm_kg",
                    subject="barbell-back-squat", value=140)  # fmt: skip
    exercises = _exercises(plans.plan_for("m", _request(), set(), [record]))
    [squat] = [e for e in exercises if e["exercise_id"] == "barbell-back-squat"][:1]
    assert squat["target_weight_kg"] == 120.0  # 140 / (1 + 4.5 / 30) = 121.7, down to 2.5 kg
    assert all("target_weight_kg" not in e for e in exercises if e["exercise_id"] != "barbell-back-squat")


# -- progression


def _session(day, exercise_id, sets):
    started = f"2026-11-{day:02d}T07:00:00.000Z"
    return TrainingEntry(*TrainingEntry.key("m", started, started), started_at=started,
                         lifts={exercise_id: {"e1rm": 0, "sets": [list(s) for s in sets]}})  # fmt: skip


PRESS = {
    "exercise_id": "dumbbell-bench-press",
    "name": "x",
    "sets": 3,
    "reps": 8,
    "reps_max": 12,
    "rest_s": 90,
}
SQUAT = {**PRESS, "exercise_id": "barbell-back-squat", "target_weight_kg": 100.0}


def _next(target, sessions):
    return plans._progressed(target, sessions)


def test_every_set_at_the_top_adds_2_5_kg_upper_and_5_kg_lower_body():
    press = _next(PRESS, [_session(2, "dumbbell-bench-press", [(12, 20)] * 3)])
    assert press["target_weight_kg"] == 22.5
    assert press["reason"].startswith("All 3 sets reached 12 reps on 2026-11-02: +2.5 kg to 22.5 kg")
    squat = _next(SQUAT, [_session(2, "barbell-back-squat", [(12, 100)] * 3)])
    assert squat["target_weight_kg"] == 105.0


def test_one_set_short_of_the_top_holds_and_rising_reps_hold_without_a_stall():
    sessions = [_session(2, "barbell-back-squat", [(12, 100), (12, 100), (10, 100)]),
                _session(4, "barbell-back-squat", [(12, 100), (12, 100), (11, 100)])]  # fmt: skip
    held = _next(SQUAT, sessions)
    assert held["target_weight_kg"] == 100.0
    assert "35 reps at 100 kg on 2026-11-04: hold" in held["reason"]


def test_three_sessions_without_progress_deload_by_ten_percent():
    stuck = [(10, 100)] * 3
    two = _next(SQUAT, [_session(d, "barbell-back-squat", stuck) for d in (2, 4, 6)])
    assert two["target_weight_kg"] == 100.0
    assert "(2 sessions without progress)" in two["reason"]
    three = _next(SQUAT, [_session(d, "barbell-back-squat", stuck) for d in (2, 4, 6, 8)])
    assert three["target_weight_kg"] == 90.0
    assert three["reason"].startswith(
        "3 sessions without progress (the last on 2026-11-08): deload by 10 % to 90 kg"
    )


def test_without_a_starting_weight_the_first_session_sets_it():
    first = _next(PRESS, [_session(2, "dumbbell-bench-press", [(9, 18)] * 3)])
    assert first["target_weight_kg"] == 18.0
    assert "27 reps at 18 kg on 2026-11-02: hold" in first["reason"]


def test_a_lift_the_member_has_a_record_in_fills_its_slot_and_staples_come_before_oddities():
    fresh = {e["exercise_id"] for e in _exercises(plans.plan_for("m", _request(days_per_week=3), set(), []))}
    assert fresh <= plans.STAPLES | {
        e["exercise_id"] for e in catalogue.all_exercises() if e["pattern"] == "core"
    }
    front = Record(
        *Record.key("m", "e1rm_kg", "zercher-squat"), metric="e1rm_kg", subject="zercher-squat", value=100
    )
    planned = {
        e["exercise_id"]: e
        for e in _exercises(plans.plan_for("m", _request(days_per_week=3), set(), [front]))
    }
    assert planned["zercher-squat"]["target_weight_kg"] == 85.0  # 100 / 1.15 = 86.96, down to 2.5 kg
