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


def _squats(weight, reps=5, sets=3):
    return [{"exercise_id": "barbell-back-squat", "reps": reps, "weight_kg": weight}] * sets


def _strength(started_at, weight, **changes):
    return {
        "type": "strength",
        "started_at": started_at,
        "duration_s": 3600,
        "rpe": 7,
        "sets": _squats(weight),
    } | changes


def _records(reply, metric):
    return [r for r in reply.body["personal_records"] if r["metric"] == metric]


def test_a_logged_session_has_its_load_and_a_heavier_squat_is_a_record_announced_in_the_201(api):
    member = api.member()
    token = member["access_token"]
    first = api.post("/me/activities", _strength("2026-11-20T07:00:00Z", 100), token=token)
    assert first.status == 201, first.body
    assert (first.body["load"], first.body["load_method"]) == (420.0, "session_rpe")  # RPE 7 x 60 min
    [e1rm] = _records(first, "e1rm_kg")
    assert (e1rm["exercise_id"], e1rm["value"], e1rm["activity_id"]) == (
        "barbell-back-squat", 116.7, first.body["activity_id"],  # Epley: 100 x (1 + 5/30)
    )  # fmt: skip
    lighter = api.post("/me/activities", _strength("2026-11-22T07:00:00Z", 90), token=token)
    assert lighter.body["personal_records"] == []
    heavier = api.post("/me/activities", _strength("2026-11-24T07:00:00Z", 105), token=token)
    assert [r["value"] for r in _records(heavier, "heaviest_kg")] == [105.0]

    run = {"type": "run", "started_at": "2026-11-25T18:00:00Z", "duration_s": 1500, "distance_m": 5000,
           "avg_heart_rate": 150, "max_heart_rate": 185}  # fmt: skip
    ran = api.post("/me/activities", run, token=token)
    assert ran.body["load_method"] == "trimp"
    assert {(r["metric"], r["type"], r["value"]) for r in ran.body["personal_records"]} == {
        ("longest_distance_m", "run", 5000.0),
        ("best_pace_s_per_km", "run", 300.0),  # 1,500 s over 5 km
    }

    listed = api.get("/me/activities", token=token).body["items"]
    assert [a["started_at"] for a in listed] == [
        "2026-11-25T18:00:00.000Z", "2026-11-24T07:00:00.000Z", "2026-11-22T07:00:00.000Z",
        "2026-11-20T07:00:00.000Z",
    ]  # fmt: skip
    only_runs = api.get("/me/activities?type=run", token=token).body["items"]
    assert [a["activity_id"] for a in only_runs] == [ran.body["activity_id"]]
    window = api.get("/me/activities?from=2026-11-21T00:00:00Z&to=2026-11-24T23:59:59Z", token=token)
    assert len(window.body["items"]) == 2
    assert all(a["source"] == "manual" for a in listed)


def test_deleting_the_record_session_gives_the_record_back_to_the_best_remaining_one(api):
    member = api.member()
    token = member["access_token"]
    older = api.post("/me/activities", _strength("2026-11-10T07:00:00Z", 100), token=token).body
    best = api.post("/me/activities", _strength("2026-11-12T07:00:00Z", 120), token=token).body
    assert api.delete(f"/me/activities/{best['activity_id']}", token=token).status == 204
    assert api.get(f"/me/activities/{best['activity_id']}", token=token).status == 404
    again = api.post("/me/activities", _strength("2026-11-14T07:00:00Z", 110), token=token)
    assert [r["value"] for r in _records(again, "heaviest_kg")] == [110.0]  # 120 is gone; 110 beats 100
    assert older["activity_id"] != again.body["activity_id"]


def test_only_the_member_sees_or_deletes_their_activities(api):
    owner, other = api.member(), api.member()
    logged = api.post(
        "/me/activities", _strength("2026-11-20T07:00:00Z", 60), token=owner["access_token"]
    ).body
    path = f"/me/activities/{logged['activity_id']}"
    assert api.get(path, token=other["access_token"]).error_code == "activity_not_found"
    assert api.delete(path, token=other["access_token"]).status == 404
    assert api.get(path, token=owner["access_token"]).status == 200
    assert api.get("/me/activities", token=other["access_token"]).body["items"] == []
    assert api.get("/me/activities").status == 401


def test_what_cannot_be_true_is_refused_naming_the_field_and_nothing_is_stored(api):
    member = api.member()
    token = member["access_token"]
    soon = "2099-01-01T00:00:00Z"
    refusals = [
        (_strength("2026-11-20T07:00:00Z", 100, sets=[{"exercise_id": "barbell-back-squat", "reps": -5}]),
         400, "sets.0.reps"),
        (_strength("2026-11-20T07:00:00Z", 100, duration_s=90_000), 400, "duration_s"),
        (_strength("2026-11-20T07:00:00Z", 100, rpe=11), 400, "rpe"),
        (_strength("2026-11-20T07:00:00Z", 100, sets=[{"exercise_id": "moon-press", "reps": 5}]),
         422, "sets[0].exercise_id"),
        (_strength(soon, 100), 422, "started_at"),
        ({"type": "run", "started_at": "2026-11-20T07:00:00Z", "duration_s": 600, "distance_m": 60_000},
         422, "distance_m"),
        ({"type": "ride", "started_at": "2026-11-20T07:00:00Z", "duration_s": 600, "avg_heart_rate": 180,
          "max_heart_rate": 150}, 422, "avg_heart_rate"),
        (_strength("2026-11-20T07:00:00Z", 100, mood="great"), 400, "mood"),
    ]  # fmt: skip
    for body, status, field in refusals:
        reply = api.post("/me/activities", body, token=token)
        assert reply.status == status, (field, reply.body)
        assert any(field in str(d.get("field")) for d in reply.body["error"]["details"]), (field, reply.body)
    assert api.get("/me/activities", token=token).body["items"] == []


def test_a_repeated_idempotency_key_logs_once(api):
    member = api.member()
    token, key = member["access_token"], {"Idempotency-Key": "log-once-1"}
    first = api.post("/me/activities", _strength("2026-11-20T07:00:00Z", 80), token=token, headers=key)
    again = api.post("/me/activities", _strength("2026-11-20T07:00:00Z", 80), token=token, headers=key)
    assert again.body["activity_id"] == first.body["activity_id"]
    assert len(api.get("/me/activities", token=token).body["items"]) == 1
