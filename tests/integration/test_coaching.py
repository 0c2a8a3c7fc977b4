"""Coaching over HTTP: the exercise catalogue (public), as API.md's Coaching section describes it."""

import requests


def test_the_catalogue_has_over_150_exercises_each_described_and_paged_once(api):
    seen, cursor = [], None
    while True:
        reply = api.get("/exercises?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200
        seen += reply.body["items"]
        cursor = reply.body["next_cursor"]
        if not cursor:
            break
    ids = [exercise["exercise_id"] for exercise in seen]
    assert len(ids) == len(set(ids)) >= 150
    assert [e["name"].lower() for e in seen] == sorted(e["name"].lower() for e in seen)
    for exercise in seen:
        assert exercise["primary_muscles"], exercise
        assert exercise["equipment"], exercise
        assert exercise["category"] in {"strength", "core", "plyometric", "cardio", "mobility"}
    gym_kinds = {"treadmill", "rower", "bike"}  # the demo gym's equipment registry
    assert gym_kinds <= {kind for exercise in seen for kind in exercise["equipment"]}


def test_filters_by_muscle_equipment_and_words(api):
    reply = api.get("/exercises?muscle=glutes&equipment=kettlebell&limit=100")
    found = reply.body["items"]
    assert {"kettlebell-swing", "goblet-squat-kettlebell"} <= {e["exercise_id"] for e in found}
    for exercise in found:
        assert "kettlebell" in exercise["equipment"]
        assert "glutes" in exercise["primary_muscles"] + exercise["secondary_muscles"]
    squats = api.get("/exercises?q=front%20squat").body["items"]
    assert [e["exercise_id"] for e in squats] == ["barbell-front-squat"]


def test_one_exercise_and_what_is_not_there(api):
    swing = api.get("/exercises/kettlebell-swing")
    assert swing.status == 200
    assert swing.body == {
        "exercise_id": "kettlebell-swing",
        "name": "Kettlebell swing",
        "category": "strength",
        "pattern": "hinge",
        "primary_muscles": ["glutes", "hamstrings"],
        "secondary_muscles": ["lower_back", "abs", "front_delts"],
        "equipment": ["kettlebell"],
    }
    missing = api.get("/exercises/no-such-lift")
    assert (missing.status, missing.error_code) == (404, "exercise_not_found")
    unknown = api.get("/exercises?muscle=quad")
    assert (unknown.status, unknown.error_code) == (400, "validation_failed")
    assert unknown.body["error"]["details"][0]["field"] == "muscle"
    bad_cursor = api.get("/exercises?cursor=not-a-cursor")
    assert (bad_cursor.status, bad_cursor.error_code) == (400, "invalid_cursor")


def test_the_catalogue_is_public_and_cacheable(platform):
    reply = requests.get(f"{platform.api_url}/exercises?limit=1", timeout=10)  # no token at all
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "public, max-age=3600"
