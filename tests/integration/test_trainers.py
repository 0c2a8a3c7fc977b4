"""Trainers over HTTP: apply, admin approval (role becomes trainer), search and public profiles."""

import uuid


def application(**changes):
    word = uuid.uuid4().hex[:8]  # a word only this application contains, to search for
    return {
        "bio": f"Kettlebell and running coach, marathon finisher {word}, patient with beginners.",
        "specialties": ["Kettlebell", "running"],
        "hourly_rate_cents": 5500,
        "currency": "EUR",
        **changes,
    }, word


def test_apply_approve_and_find_a_trainer(api, admin):
    member = api.member()
    body, word = application()
    applied = api.post("/trainers", body, token=member["access_token"])
    assert applied.status == 201
    assert applied.body["status"] == "pending"
    assert applied.body["trainer_id"] == member["user_id"]
    assert applied.body["specialties"] == ["kettlebell", "running"]
    assert applied.body["currency"] == "eur"
    trainer_id = applied.body["trainer_id"]

    assert api.get(f"/trainers/{trainer_id}").status == 404  # not public while pending
    assert not api.get(f"/trainers?q={word}").body["items"]
    pending = api.get("/admin/trainers?status=pending&limit=100", token=admin).body["items"]
    assert trainer_id in {item["trainer_id"] for item in pending}

    approved = api.post(f"/admin/trainers/{trainer_id}/approve", token=admin)
    assert approved.status == 200
    assert approved.body["status"] == "approved"
    relogin = api.login(member["email"], member["password"]).body["access_token"]
    assert api.get("/me", token=relogin).body["role"] == "trainer"

    profile = api.get(f"/trainers/{trainer_id}").body
    assert profile["name"] == "Test Member"
    assert profile["rating"] == {"average": None, "count": 0}
    found = api.get(f"/trainers?specialty=kettlebell&q={word}").body["items"]
    assert [item["trainer_id"] for item in found] == [trainer_id]
    assert not api.get(f"/trainers?specialty=yoga&q={word}").body["items"]


def test_one_application_per_member_and_one_approval(api, admin):
    member = api.member()
    body, _ = application()
    assert api.post("/trainers", body, token=member["access_token"]).status == 201
    again = api.post("/trainers", body, token=member["access_token"])
    assert (again.status, again.error_code) == (409, "already_applied")
    assert api.post(f"/admin/trainers/{member['user_id']}/approve", token=admin).status == 200
    twice = api.post(f"/admin/trainers/{member['user_id']}/approve", token=admin)
    assert (twice.status, twice.error_code) == (409, "already_approved")


def test_bad_applications_name_each_bad_field(api):
    member = api.member()
    body, _ = application(bio="too short", specialties=[], currency="euro")
    reply = api.post("/trainers", body, token=member["access_token"])
    assert reply.status == 400
    assert {detail["field"] for detail in reply.body["error"]["details"]} == {
        "bio",
        "specialties",
        "currency",
    }
    assert api.post("/trainers", application()[0]).status == 401


def test_only_admins_approve_or_see_applications(api, admin):
    member = api.member()
    api.post("/trainers", application()[0], token=member["access_token"])
    other = api.member()
    denied = api.post(f"/admin/trainers/{member['user_id']}/approve", token=other["access_token"])
    assert (denied.status, denied.error_code) == (403, "forbidden")
    assert api.get("/admin/trainers", token=other["access_token"]).status == 403
    missing = api.post(f"/admin/trainers/{uuid.uuid4().hex}/approve", token=admin)
    assert (missing.status, missing.error_code) == (404, "trainer_not_found")


def test_the_demo_trainer_is_approved_and_listed(api):
    listed = api.get("/trainers?specialty=hiit&limit=100").body["items"]
    assert "Theo Trainer" in {item["name"] for item in listed}
