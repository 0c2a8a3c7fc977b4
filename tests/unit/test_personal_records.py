"""Which personal records one activity offers, from its sets and distances (no storage involved)."""

from fitconnect.coaching import records
from fitconnect.coaching.models import Activity


def _activity(**fields):
    base = {
        "activity_id": "a1", "user_id": "u1", "type": "strength", "started_at": "2026-11-20T07:00:00.000Z",
        "duration_s": 3600, "sets": [], "load": 0, "load_method": "default", "created_at": "x",
    }  # fmt: skip
    return Activity("ACTIVITY#a1", "ACTIVITY", **(base | fields))


def test_a_strength_session_offers_its_best_set_per_exercise_and_metric():
    sets = [
        {"exercise_id": "barbell-back-squat", "reps": 5, "weight_kg": 100},
        {"exercise_id": "barbell-back-squat", "reps": 3, "weight_kg": 110},  # e1RM 121.0 > 116.7
        {"exercise_id": "barbell-back-squat", "reps": 12, "weight_kg": 60},  # most reps; e1RM 84
        {"exercise_id": "push-up", "reps": 30},  # no weight: reps only
    ]
    assert records.candidates(_activity(sets=sets)) == {
        ("most_reps", "barbell-back-squat"): 12,
        ("heaviest_kg", "barbell-back-squat"): 110.0,
        ("e1rm_kg", "barbell-back-squat"): 121.0,  # 110 x (1 + 3/30)
        ("most_reps", "push-up"): 30,
    }


def test_an_endurance_session_offers_distance_and_pace_over_a_kilometre_only():
    assert records.candidates(_activity(type="run", duration_s=1500, distance_m=5000)) == {
        ("longest_distance_m", "run"): 5000.0,
        ("best_pace_s_per_km", "run"): 300.0,
    }
    short = records.candidates(_activity(type="swim", duration_s=400, distance_m=400))
    assert short == {("longest_distance_m", "swim"): 400.0}  # 400 m: no pace record from a sprint
    assert records.candidates(_activity(type="yoga", duration_s=3600)) == {}
