"""Coaching over HTTP: the exercise catalogue (public), as API.md's Coaching section describes it."""

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.local import aws, eventually, invocations, worked_off

# DynamoDB under contention (a tenth of writes conflict): the same results must follow.
pytestmark = pytest.mark.usefixtures("contention")


def _every_exercise(api):
    seen, cursor = [], None
    while True:
        reply = api.get("/exercises?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200
        seen += reply.body["items"]
        cursor = reply.body["next_cursor"]
        if not cursor:
            return seen


def test_the_catalogue_has_over_150_exercises_each_described_and_paged_once(api):
    seen = _every_exercise(api)
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


# ------------------------------------------------------------------ insights


def _ago(days, hours=1):
    moment = datetime.now(UTC) - timedelta(days=days, hours=hours)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _insights_with(api, token, sessions):
    """The member's insights once the consumer has counted `sessions` activities this window."""

    def counted():
        insights = api.get("/me/insights", token=token).body
        return insights if sum(week["sessions"] for week in insights["weeks"]) == sessions else None

    return eventually(counted, timeout_s=30)


def test_a_month_of_steady_training_then_a_week_at_triple_load_is_a_very_high_acwr_named_with_its_figures(
    api,
):
    token = api.member()["access_token"]
    steady = [7 + week * 7 + day for week in range(3) for day in (0, 2, 4, 6)]  # days 7..27 ago
    for days in steady:  # 60 min at RPE 5: a load of 300, four times a week
        api.post("/me/activities", {"type": "run", "started_at": _ago(days), "duration_s": 3600, "rpe": 5},
                 token=token)  # fmt: skip
    for days in (0, 2, 4, 6):  # the last week: 180 min at RPE 5, three times the load
        api.post("/me/activities", {"type": "run", "started_at": _ago(days), "duration_s": 10800, "rpe": 5},
                 token=token)  # fmt: skip

    insights = _insights_with(api, token, 16)
    # acute: 4 x 900 / 7 = 514.3; chronic: (12 x 300 + 4 x 900) / 28 = 257.1; ratio 2.0
    assert insights["training_load"] == {
        "acute_7d": 514.3, "chronic_28d": 257.1, "acwr": 2.0, "status": "very_high"
    }  # fmt: skip
    [spike] = [r for r in insights["recommendations"] if r["code"] == "load_spike"]
    assert spike["evidence"] == {"acwr": 2.0, "acute_7d": 514.3, "chronic_28d": 257.1, "threshold": 1.5}
    assert "2.0" in spike["reason"]
    assert "514.3" in spike["reason"]
    assert len(insights["weeks"]) == 8
    assert sum(w["load"] for w in insights["weeks"]) == 12 * 300 + 4 * 900


def test_a_heavier_squat_is_in_insights_and_a_deleted_activity_leaves_every_figure(api):
    token = api.member()["access_token"]
    light = api.post("/me/activities", _strength(_ago(3), 100), token=token).body
    heavy = api.post("/me/activities", _strength(_ago(1), 120), token=token).body
    insights = _insights_with(api, token, 2)
    [heaviest] = [r for r in insights["personal_records"] if r["metric"] == "heaviest_kg"]
    assert (heaviest["value"], heaviest["activity_id"]) == (120.0, heavy["activity_id"])
    assert insights["muscle_volume"]["quads"] == 6  # two sessions of three sets, quads primary
    assert insights["muscle_volume"]["hamstrings"] == 3  # secondary: half a set each
    assert insights["streak_days"] in (1, 2)  # yesterday; today if a day boundary passed meanwhile

    assert api.delete(f"/me/activities/{heavy['activity_id']}", token=token).status == 204
    after = _insights_with(api, token, 1)
    [heaviest] = [r for r in after["personal_records"] if r["metric"] == "heaviest_kg"]
    assert (heaviest["value"], heaviest["activity_id"]) == (100.0, light["activity_id"])
    assert after["muscle_volume"]["quads"] == 3
    assert sum(w["load"] for w in after["weeks"]) == light["load"]


def test_insights_are_the_callers_own_and_weeks_are_bounded(api):
    owner, other = api.member(), api.member()
    api.post("/me/activities", _strength(_ago(1), 80), token=owner["access_token"])
    assert _insights_with(api, owner["access_token"], 1)
    empty = api.get("/me/insights?weeks=4", token=other["access_token"]).body
    assert [w["sessions"] for w in empty["weeks"]] == [0, 0, 0, 0]
    assert empty["personal_records"] == []
    assert empty["training_load"]["status"] == "low"
    assert api.get("/me/insights?weeks=0", token=other["access_token"]).status == 400
    assert api.get("/me/insights?weeks=53", token=other["access_token"]).status == 400
    assert api.get("/me/insights").status == 401


def test_an_attended_class_becomes_one_activity_however_often_the_event_arrives(api, admin, platform):
    trainer = api.approved_trainer(admin)
    session_id = api.new_session(trainer, starts_in=timedelta(minutes=10), title="Sunrise Yoga",
                                 duration_min=50)  # fmt: skip
    member = api.member()
    token = member["access_token"]
    booking = api.post(f"/sessions/{session_id}/bookings", token=token).body
    assert (
        api.post(f"/bookings/{booking['booking_id']}/check-in", token=trainer["access_token"]).status == 200
    )

    [logged] = eventually(lambda: api.get("/me/activities", token=token).body["items"], timeout_s=30)
    assert (logged["source"], logged["type"], logged["duration_s"]) == ("class", "yoga", 3000)
    assert logged["notes"] == "Sunrise Yoga"
    assert logged["load_method"] == "default"

    attended = {"booking_id": booking["booking_id"], "session_id": session_id, "user_id": member["user_id"]}
    runs = invocations(api, "TrackTrainingFunction")
    aws(platform, "events").put_events(Entries=[{  # the same event, delivered again
        "EventBusName": platform.template.physical["EventBus"].ref,
        "Source": "fitconnect.scheduling", "DetailType": "BookingAttended",
        "Detail": json.dumps({"metadata": {"event_id": "again"}, "data": attended}),
    }])  # fmt: skip
    assert eventually(lambda: worked_off(platform, api, "TrackTrainingFunction", "TrainingEventsQueue", runs))
    assert [a["activity_id"] for a in api.get("/me/activities", token=token).body["items"]] == [
        logged["activity_id"]
    ]
    assert _insights_with(api, token, 1)["weeks"][-1]["load"] == logged["load"]


# ------------------------------------------------------------------ the personal trainer


def _plan_request(**changes):
    return {"goal": "hypertrophy", "days_per_week": 3, "minutes_per_session": 60,
            "experience": "intermediate", "equipment": ["dumbbell"]} | changes  # fmt: skip


def _catalogue(api):
    return {exercise["exercise_id"]: exercise for exercise in _every_exercise(api)}


def test_a_plan_for_three_days_with_dumbbells_only_uses_nothing_else_and_is_the_same_twice(api):
    token = api.member()["access_token"]
    made = api.post("/me/plan", _plan_request(avoid_muscles=["lower_back"]), token=token)
    assert made.status == 201, made.body
    plan, catalogue = made.body, _catalogue(api)
    assert len(plan["weeks"]) == 4
    for week in plan["weeks"]:
        assert [w["day"] for w in week["workouts"]] == [1, 2, 3]
        for workout in week["workouts"]:
            assert len(workout["exercises"]) >= 3
            for planned in workout["exercises"]:
                exercise = catalogue[planned["exercise_id"]]
                assert set(exercise["equipment"]) <= {"dumbbell", "bodyweight"}, exercise
                assert "lower_back" not in exercise["primary_muscles"] + exercise["secondary_muscles"]
                assert (planned["reps"], planned["reps_max"], planned["rest_s"]) == (8, 12, 90)
    assert plan["equipment"] == ["bodyweight", "dumbbell"]
    assert [e["sets"] for e in plan["weeks"][3]["workouts"][0]["exercises"]] == [
        e["sets"] - 1 for e in plan["weeks"][0]["workouts"][0]["exercises"]
    ]  # week 4 is the deload
    patterns = {
        catalogue[e["exercise_id"]]["pattern"] for w in plan["weeks"][0]["workouts"] for e in w["exercises"]
    }
    assert {"squat", "hinge", "horizontal_push", "horizontal_pull", "vertical_push"} <= patterns
    assert any("full-body" in line for line in plan["rationale"])

    again = api.post("/me/plan", _plan_request(avoid_muscles=["lower_back"]), token=token).body
    assert again["weeks"] == plan["weeks"]
    assert again["plan_id"] != plan["plan_id"]
    shown = api.get("/me/plan", token=token).body
    assert shown["plan_id"] == again["plan_id"]
    assert (shown["next_workout"]["week"], shown["next_workout"]["day"]) == (1, 1)


def test_every_set_at_the_top_of_the_range_raises_the_next_target_with_a_reason(api):
    token = api.member()["access_token"]
    plan = api.post(
        "/me/plan", _plan_request(days_per_week=4, equipment=["dumbbell", "bench"]), token=token
    ).body
    upper, lower = plan["weeks"][0]["workouts"][0], plan["weeks"][0]["workouts"][1]
    assert (upper["focus"], lower["focus"]) == ("upper", "lower")

    def logged(workout, days_ago, weight, reps):
        sets = [{"exercise_id": e["exercise_id"], "reps": reps, "weight_kg": weight}
                for e in workout["exercises"] for _ in range(e["sets"])]  # fmt: skip
        body = {"type": "strength", "started_at": _ago(days_ago, hours=0), "duration_s": 3600, "sets": sets}
        assert api.post("/me/activities", body, token=token).status == 201

    logged(upper, 0, 20, 12)  # every set at the top of 8-12
    logged(lower, 0, 30, 9)
    after = eventually(
        lambda: (
            (found := api.get("/me/plan", token=token).body["next_workout"])["workouts_done"] == 2 and found
        ),
        timeout_s=30,
    )
    assert (after["week"], after["day"], after["focus"]) == (1, 3, "upper")
    press = after["exercises"][0]  # a horizontal push: upper body, +2.5 kg
    assert press["exercise_id"] == upper["exercises"][0]["exercise_id"]
    assert press["target_weight_kg"] == 22.5
    assert "reached 12 reps" in press["reason"]
    assert "+2.5 kg" in press["reason"]


def test_a_plan_is_the_members_own_and_bad_requests_store_nothing(api):
    owner, other = api.member(), api.member()
    assert api.post("/me/plan", _plan_request(), token=owner["access_token"]).status == 201
    missing = api.get("/me/plan", token=other["access_token"])
    assert (missing.status, missing.error_code) == (404, "plan_not_found")
    refusals = [
        (_plan_request(days_per_week=7), 400, "days_per_week"),
        (_plan_request(minutes_per_session=10), 400, "minutes_per_session"),
        (_plan_request(goal="fame"), 400, "goal"),
        (_plan_request(equipment=["spaceship"]), 422, "equipment[0]"),
        (_plan_request(avoid_muscles=["wings"]), 422, "avoid_muscles[0]"),
    ]
    for body, status, field in refusals:
        reply = api.post("/me/plan", body, token=other["access_token"])
        assert reply.status == status, (field, reply.body)
        assert any(field in str(d.get("field")) for d in reply.body["error"]["details"]), (field, reply.body)
    assert api.get("/me/plan", token=other["access_token"]).status == 404


def test_the_data_export_holds_the_members_activities_records_and_plan(api):
    token = api.member()["access_token"]
    logged = api.post("/me/activities", _strength(_ago(1), 70), token=token).body
    plan = api.post("/me/plan", _plan_request(), token=token).body
    export_id = api.post("/me/export", token=token).body["export_id"]
    ready = eventually(
        lambda: (
            (reply := api.get(f"/me/export/{export_id}", token=token).body).get("status") == "ready" and reply
        ),
        timeout_s=20,
    )
    coaching = requests.get(ready["download_url"], timeout=10).json()["coaching"]
    assert [a["activity_id"] for a in coaching["activities"]] == [logged["activity_id"]]
    assert {r["activity_id"] for r in coaching["personal_records"]} == {logged["activity_id"]}
    assert coaching["plan"]["plan_id"] == plan["plan_id"]
    assert coaching["plan"]["weeks"] == plan["weeks"]


# ------------------------------------------------------------------ the weekly summary


def test_the_weekly_summary_arrives_once_on_monday_morning_in_the_members_time_zone(api, clock):
    zone = ZoneInfo("Pacific/Auckland")  # far from UTC: its Monday 08:00 is Sunday evening in UTC
    keen, quiet = api.member(), api.member()
    for member in (keen, quiet):
        assert api.patch("/me", {"timezone": zone.key}, token=member["access_token"]).status == 200
    prefs = {"email": True, "sms": False, "push": False, "weekly_summary": False}
    assert api.put("/me/notification-preferences", prefs, token=quiet["access_token"]).status == 200

    now = datetime.now(zone)
    monday = (now + timedelta(days=7 - now.weekday())).date()  # the next Monday, strictly ahead
    sunday_evening = datetime.combine(monday, time(20), zone) - timedelta(days=1)
    clock((sunday_evening - now).total_seconds())
    for member in (keen, quiet):
        api.relogin(member)
        for hours in (30, 2):  # Saturday and Sunday of the week that is ending
            body = {"type": "run", "started_at": (sunday_evening - timedelta(hours=hours)).isoformat(),
                    "duration_s": 2700, "distance_m": 8000, "rpe": 6}  # fmt: skip
            assert api.post("/me/activities", body, token=member["access_token"]).status == 201
        assert _insights_with(api, member["access_token"], 2)

    clock((datetime.combine(monday, time(7, 30), zone) - sunday_evening).total_seconds())
    assert api.post("/_local/schedules/SendWeeklySummariesFunction").status in (200, 202)
    assert api.emails_to(keen, "Your week") == []  # not before 08:00 on Monday, theirs

    clock(3600)
    for _ in range(3):  # however often the schedule runs, one summary
        assert api.post("/_local/schedules/SendWeeklySummariesFunction").status in (200, 202)
    [summary] = eventually(lambda: api.emails_to(keen, "Your week"), timeout_s=20)
    assert summary["subject"] == "Your week: 2 sessions"
    assert "1 h 30 min, 16.0 km, training load 540" in summary["body"]  # 2 x 45 min at RPE 6
    assert api.emails_to(quiet, "Your week") == []  # they turned the summary off


def test_the_chatbot_tells_the_member_how_their_week_went_and_what_their_next_workout_is(api):
    member = api.member()
    token = member["access_token"]

    def ask(text):
        reply = api.post("/chatbot/messages", {"text": text}, token=token)
        assert reply.status == 200, reply.body
        return reply.body["reply"]

    assert "no training plan yet" in ask("What's my next workout?")
    assert "No training logged this week" in ask("How was my week?")
    for _ in range(2):  # 30 min at RPE 8: a load of 240 each
        body = {
            "type": "row",
            "started_at": _ago(0, hours=0),
            "duration_s": 1800,
            "distance_m": 6000,
            "rpe": 8,
        }
        assert api.post("/me/activities", body, token=token).status == 201
    assert _insights_with(api, token, 2)
    week = ask("how was my week?")
    assert week.startswith("This week so far: 2 sessions, 1 h 00 min, 12.0 km, training load 480")

    plan = api.post("/me/plan", _plan_request(), token=token).body
    first = plan["weeks"][0]["workouts"][0]["exercises"][0]
    answer = ask("what's my next workout?")
    assert answer.startswith("Next: week 1, day 1 (full body A):")
    assert f"{first['name']} {first['sets']} x 8-12" in answer


def test_the_demo_member_has_six_weeks_of_history_insights_and_a_plan(api):
    login = api.login("member@fitconnect.local", "fitconnect-demo")
    assert login.status == 200
    token = login.body["access_token"]
    insights = eventually(
        lambda: (body := api.get("/me/insights", token=token).body)["personal_records"] and body
    )
    trained_weeks = [week for week in insights["weeks"] if week["sessions"]]
    assert len(trained_weeks) >= 6
    assert all(week["load"] > 0 for week in trained_weeks)
    assert insights["training_load"]["chronic_28d"] > 0
    assert {"e1rm_kg", "longest_distance_m"} <= {r["metric"] for r in insights["personal_records"]}
    assert insights["muscle_volume"]
    plan = api.get("/me/plan", token=token).body
    assert plan["request"]["goal"] == "strength"
    assert plan["next_workout"]["exercises"]
    squats = [e for w in plan["weeks"][0]["workouts"] for e in w["exercises"] if e.get("target_weight_kg")]
    assert squats  # starting weights come from the history's estimated 1RMs
