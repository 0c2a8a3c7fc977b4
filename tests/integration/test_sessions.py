"""Sessions over HTTP: publishing (validation, weekly series across DST), listing and reading."""

import uuid

import pytest
import requests


@pytest.fixture(scope="module")
def paris_trainer(api, admin):
    return api.approved_trainer(admin, timezone="Europe/Paris")


def session_body(**changes):
    return {
        "title": "Evening HIIT " + uuid.uuid4().hex[:6],
        "starts_at": "2027-03-18T18:00:00+01:00",
        "duration_min": 45,
        "capacity": 12,
        "price_cents": 0,
        "currency": "eur",
        "kind": "in_person",
        "location": "Studio 2",
        **changes,
    }


def test_a_weekly_series_keeps_paris_wall_clock_time_across_dst(api, paris_trainer):
    reply = api.post(
        "/sessions",
        session_body(recurrence={"freq": "weekly", "count": 3}),
        token=paris_trainer["access_token"],
    )
    assert reply.status == 201
    starts = [item["starts_at"] for item in reply.body["items"]]
    # Europe/Paris moves to summer time on 2027-03-28: 18:00 local is 17:00Z before, 16:00Z after.
    assert starts == ["2027-03-18T17:00:00.000Z", "2027-03-25T17:00:00.000Z", "2027-04-01T16:00:00.000Z"]
    assert len({item["series_id"] for item in reply.body["items"]}) == 1
    first = reply.body["items"][0]
    assert (first["seats_left"], first["waitlist_length"], first["status"]) == (12, 0, "scheduled")
    assert first["ends_at"] == "2027-03-18T17:45:00.000Z"
    assert api.get(f"/sessions/{first['session_id']}").body == first


def test_listing_filters_by_range_trainer_and_kind_and_pages_across_months(api, paris_trainer):
    token = paris_trainer["access_token"]
    api.post("/sessions", session_body(recurrence={"freq": "weekly", "count": 3}), token=token)
    live = api.post(
        "/sessions", session_body(kind="live", location=None, starts_at="2027-03-20T09:00:00Z"), token=token
    )
    assert live.body["video"] == {"provider": "zoom", "status": "not_configured"}
    assert "join_url" not in str(live.body)
    mine = (
        f"/sessions?from=2027-03-01T00:00:00Z&to=2027-05-01T00:00:00Z&trainer_id={paris_trainer['user_id']}"
    )
    everything = api.get(mine + "&limit=100").body
    assert everything["next_cursor"] is None
    starts = [item["starts_at"] for item in everything["items"]]
    assert starts == sorted(starts)
    assert {item["trainer_id"] for item in everything["items"]} == {paris_trainer["user_id"]}
    assert [item["kind"] for item in api.get(mine + "&kind=live").body["items"]] == ["live"]
    seen, cursor = [], None
    while True:
        page = api.get(mine + "&limit=2" + (f"&cursor={cursor}" if cursor else "")).body
        seen.extend(item["session_id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [item["session_id"] for item in everything["items"]]
    march_only = api.get(
        f"/sessions?from=2027-03-01T00:00:00Z&to=2027-03-31T00:00:00Z&trainer_id={paris_trainer['user_id']}"
    ).body["items"]
    assert all(item["starts_at"] < "2027-03-31" for item in march_only)


def test_publishing_is_for_approved_trainers_with_valid_sessions(api, paris_trainer, admin):
    member = api.member()
    trainer_token = paris_trainer["access_token"]
    assert api.post("/sessions", session_body(), token=member["access_token"]).status == 403
    bad = api.post(
        "/sessions",
        session_body(duration_min=5, capacity=0, currency="euros"),
        token=paris_trainer["access_token"],
    )
    assert bad.status == 400
    assert {d["field"] for d in bad.body["error"]["details"]} == {"duration_min", "capacity", "currency"}
    past = api.post(
        "/sessions", session_body(starts_at="2020-01-01T10:00:00Z"), token=paris_trainer["access_token"]
    )
    assert (past.status, past.error_code) == (422, "starts_in_the_past")
    nowhere = api.post("/sessions", session_body(location=None), token=trainer_token)
    assert nowhere.status == 400
    # A trainer role without an approved trainer profile cannot publish.
    api.patch(f"/admin/users/{member['user_id']}", {"role": "trainer"}, token=admin)
    token = api.login(member["email"], member["password"]).body["access_token"]
    unapproved = api.post("/sessions", session_body(), token=token)
    assert (unapproved.status, unapproved.error_code) == (404, "trainer_not_found")


def test_an_admin_publishes_for_a_trainer(api, paris_trainer, admin):
    reply = api.post("/sessions", session_body(trainer_id=paris_trainer["user_id"]), token=admin)
    assert reply.status == 201
    assert reply.body["trainer_id"] == paris_trainer["user_id"]


def test_bad_list_queries_are_400(api):
    assert api.get("/sessions?from=yesterday").error_code == "validation_failed"
    assert api.get("/sessions?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z").status == 400
    assert api.get("/sessions?cursor=bm9wZQ").error_code == "invalid_cursor"
    assert api.get("/session/nope").status == 404
    assert api.get("/sessions/nope").error_code == "session_not_found"


def test_the_calendar_feed_shows_booked_sessions_at_the_right_times(api, paris_trainer):
    series = session_body(recurrence={"freq": "weekly", "count": 3})
    items = api.post("/sessions", series, token=paris_trainer["access_token"]).body["items"]
    member = api.member()
    for item in items:
        api.post(f"/sessions/{item['session_id']}/bookings", token=member["access_token"])
    feed_url = api.get("/me", token=member["access_token"]).body["calendar_url"]
    assert feed_url.startswith(api.base_url + "/calendar/")
    assert feed_url.endswith(".ics")
    feed = requests.get(feed_url, timeout=10)
    assert feed.headers["Content-Type"].startswith("text/calendar")
    text = feed.text.replace("\r\n ", "")
    assert text.count("BEGIN:VEVENT") == 3
    # 18:00 in Paris on both sides of the spring DST change.
    assert "DTSTART:20270318T170000Z" in text
    assert "DTSTART:20270401T160000Z" in text
    new_url = api.post("/me/calendar-token", token=member["access_token"]).body["calendar_url"]
    assert new_url != feed_url
    assert requests.get(feed_url, timeout=10).status_code == 404
    assert requests.get(new_url, timeout=10).text.count("BEGIN:VEVENT") == 3
