"""The Strava connection end to end over HTTP on the local runtime, against its Strava stand-in
(infra/fitconnect_local/strava_standin.py), which the runtime configured from the template and
subscribed to POST /webhooks/strava as `make strava-subscription` does for a stage: a member
connects through OAuth, Strava's webhook events (sent by the stand-in when the athlete records,
edits or deletes) become activities once, tokens are refreshed, and disconnecting revokes."""

import json
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.local import aws, eventually


@pytest.fixture(scope="module")
def strava(platform):
    return platform.strava_endpoint


def _connect(api, member) -> int:
    """Through Strava's authorize page (the stand-in approves at once) to the callback: the athlete id."""
    reply = api.post("/me/integrations/strava", token=member["access_token"])
    assert reply.status == 200, reply.body
    approved = requests.get(reply.body["authorize_url"], allow_redirects=False, timeout=10)
    assert approved.status_code == 302
    connected = requests.get(approved.headers["Location"], timeout=20)
    assert connected.status_code == 200, connected.text
    return connected.json()["athlete_id"]


def _callback_url(api, member) -> str:
    reply = api.post("/me/integrations/strava", token=member["access_token"])
    return requests.get(reply.body["authorize_url"], allow_redirects=False, timeout=10).headers["Location"]


def _record(strava, athlete_id, times=1, **fields) -> dict:
    run = {
        "name": "Morning Run",
        "sport_type": "Run",
        "start_date": (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT06:30:00Z"),
        "elapsed_time": 1800,
        "distance": 5000.0,
        "average_heartrate": 150.0,
        "max_heartrate": 172.0,
        "total_elevation_gain": 40.0,
        **fields,
    }
    url = f"{strava}/_standin/athletes/{athlete_id}/activities?times={times}"
    answer = requests.post(url, json=run, timeout=30)
    assert answer.status_code == 201
    return answer.json()


def _from_strava(api, member) -> list[dict]:
    items = api.get("/me/activities?limit=100", token=member["access_token"]).body["items"]
    return [item for item in items if item["source"] == "strava"]


def _strava_calls(strava, path_start: str) -> int:
    log = requests.get(f"{strava}/_standin/requests", timeout=10).json()["items"]
    return sum(1 for entry in log if entry["path"].startswith(path_start))


def _integration(api, member) -> dict:
    [strava_item] = api.get("/me/integrations", token=member["access_token"]).body["items"]
    return strava_item


def test_a_connected_members_strava_runs_arrive_as_activities_the_insights_count(api, strava):
    member = api.member()
    assert _integration(api, member)["connected"] is False
    before = api.get("/me/insights", token=member["access_token"]).body
    athlete_id = _connect(api, member)
    assert _integration(api, member) | {"connected_at": None} == {
        "provider": "strava",
        "connected": True,
        "athlete_id": athlete_id,
        "connected_at": None,
        "last_event_at": None,
        "activities_imported": 0,
    }
    _record(strava, athlete_id)
    [run] = eventually(lambda: _from_strava(api, member), timeout_s=30)
    assert (run["type"], run["duration_s"], run["distance_m"], run["avg_heart_rate"]) == (
        "run",
        1800,
        5000.0,
        150,
    )
    assert run["elevation_gain_m"] == 40.0

    def insights_moved():
        after = api.get("/me/insights", token=member["access_token"]).body
        return after["training_load"]["acute_7d"] > before["training_load"]["acute_7d"]

    eventually(insights_moved, timeout_s=30)
    assert _integration(api, member)["activities_imported"] == 1


def test_an_event_delivered_three_times_makes_one_activity_and_one_call_to_strava(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    recorded = _record(strava, athlete_id, times=3)  # Strava's retries of one create event
    eventually(lambda: _from_strava(api, member), timeout_s=30)
    later = _record(strava, athlete_id, start_date="2026-01-02T07:00:00Z")  # the queue has moved on past it
    eventually(lambda: len(_from_strava(api, member)) == 2, timeout_s=30)
    assert sorted(a["started_at"][:10] for a in _from_strava(api, member)) == sorted(
        [recorded["start_date"][:10], later["start_date"][:10]]
    )
    assert _strava_calls(strava, f"/api/v3/activities/{recorded['id']}") == 1


def test_an_edit_that_changes_the_workout_replaces_it_and_a_new_title_changes_nothing(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    recorded = _record(strava, athlete_id)
    [first] = eventually(lambda: _from_strava(api, member), timeout_s=30)
    requests.put(f"{strava}/_standin/activities/{recorded['id']}", json={"name": "Renamed"}, timeout=30)
    requests.put(f"{strava}/_standin/activities/{recorded['id']}", json={"distance": 6200.0}, timeout=30)

    def corrected():
        runs = _from_strava(api, member)
        return runs if runs and runs[0]["distance_m"] == 6200.0 else None

    [second] = eventually(corrected, timeout_s=30)
    assert second["activity_id"] != first["activity_id"]
    assert api.get(f"/me/activities/{first['activity_id']}", token=member["access_token"]).status == 404


def test_an_activity_deleted_on_strava_leaves_the_log(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    recorded = _record(strava, athlete_id)
    eventually(lambda: _from_strava(api, member), timeout_s=30)
    assert requests.delete(f"{strava}/_standin/activities/{recorded['id']}", timeout=30).status_code == 204
    eventually(lambda: _from_strava(api, member) == [], timeout_s=30)


def test_an_expired_access_token_is_refreshed_and_the_import_goes_on(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    refreshes = _strava_calls(strava, "/oauth/token")
    requests.post(f"{strava}/_standin/athletes/{athlete_id}/expire", timeout=10)
    _record(strava, athlete_id)
    eventually(lambda: _from_strava(api, member), timeout_s=30)
    assert _strava_calls(strava, "/oauth/token") == refreshes + 1  # one refresh, then the fetch


def test_removing_fitconnect_on_strava_disconnects_but_a_forged_event_does_not(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    forged = {"object_type": "athlete", "object_id": athlete_id, "owner_id": athlete_id}
    forged |= {"aspect_type": "update", "updates": {"authorized": "false"}}
    requests.post(f"{strava}/_standin/events", json=forged, timeout=30)
    _record(strava, athlete_id)  # still imported: the forged event was checked with Strava
    eventually(lambda: _from_strava(api, member), timeout_s=30)
    assert _integration(api, member)["connected"] is True

    requests.post(f"{strava}/_standin/athletes/{athlete_id}/deauthorize", timeout=30)
    eventually(lambda: _integration(api, member)["connected"] is False, timeout_s=30)


def test_disconnecting_revokes_at_strava_and_stops_imports(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    revocations = _strava_calls(strava, "/oauth/deauthorize")
    assert api.delete("/me/integrations/strava", token=member["access_token"]).status == 204
    assert _strava_calls(strava, "/oauth/deauthorize") == revocations + 1
    assert _integration(api, member)["connected"] is False
    assert api.delete("/me/integrations/strava", token=member["access_token"]).status == 404
    fetches = _strava_calls(strava, "/api/v3/activities/")
    _record(strava, athlete_id)  # the athlete keeps training; nothing of it reaches FitConnect
    marker_member = api.member()
    _record(strava, _connect(api, marker_member))
    eventually(lambda: _from_strava(api, marker_member), timeout_s=30)
    assert _from_strava(api, member) == []
    assert _strava_calls(strava, "/api/v3/activities/") == fetches + 1  # the marker's only


def test_the_subscription_challenge_is_answered_only_with_our_verify_token(api, platform):
    secret = aws(platform, "secretsmanager").get_secret_value(SecretId="fitconnect/local/strava-webhook")
    token = json.loads(secret["SecretString"])["verify_token"]
    query = {"hub.mode": "subscribe", "hub.challenge": "15f7d1a91c1f40f8", "hub.verify_token": token}
    good = requests.get(f"{platform.api_url}/webhooks/strava", params=query, timeout=10)
    assert (good.status_code, good.json()) == (200, {"hub.challenge": "15f7d1a91c1f40f8"})
    bad = requests.get(
        f"{platform.api_url}/webhooks/strava", params={**query, "hub.verify_token": "guess"}, timeout=10
    )
    assert bad.status_code == 403
    assert bad.json()["error"]["code"] == "invalid_verify_token"


def test_events_of_another_subscription_or_not_from_strava_are_refused(api, platform):
    event = {
        "object_type": "activity",
        "object_id": 1,
        "aspect_type": "create",
        "owner_id": 1,
        "event_time": 1,
    }
    other = requests.post(
        f"{platform.api_url}/webhooks/strava", json={**event, "subscription_id": 999}, timeout=10
    )
    assert (other.status_code, other.json()["error"]["code"]) == (403, "unknown_subscription")
    garbage = requests.post(f"{platform.api_url}/webhooks/strava", json={"hello": "strava"}, timeout=10)
    assert (garbage.status_code, garbage.json()["error"]["code"]) == (400, "invalid_event")


def test_a_state_is_good_once_for_its_member_and_not_after_ten_minutes(api, clock):
    member = api.member()
    callback = _callback_url(api, member)
    assert requests.get(callback, timeout=20).status_code == 200
    replay = requests.get(callback, timeout=20)
    assert (replay.status_code, replay.json()["error"]["code"]) == (400, "state_used")

    other = api.member()
    query = parse_qs(urlsplit(_callback_url(api, other)).query)
    forged_state = query["state"][0][:-4] + "AAAA"
    forged = requests.get(
        callback.split("?")[0], params={"code": query["code"][0], "state": forged_state}, timeout=20
    )
    assert (forged.status_code, forged.json()["error"]["code"]) == (400, "invalid_state")

    late = _callback_url(api, other)
    clock(11 * 60)
    expired = requests.get(late, timeout=20)
    assert (expired.status_code, expired.json()["error"]["code"]) == (400, "invalid_state")
    api.relogin(other)
    assert _integration(api, other)["connected"] is False


def test_one_strava_account_belongs_to_one_member(api, strava):
    member, other = api.member(), api.member()
    athlete_id = _connect(api, member)
    reply = api.post("/me/integrations/strava", token=other["access_token"])
    approved = requests.get(
        reply.body["authorize_url"] + f"&athlete_id={athlete_id}", allow_redirects=False, timeout=10
    )
    taken = requests.get(approved.headers["Location"], timeout=20)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "already_connected")
    assert _integration(api, other)["connected"] is False
    assert (
        api.post("/me/integrations/strava", token=member["access_token"]).status == 409
    )  # connected already


def test_erasing_a_member_revokes_their_strava_connection(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    revocations = _strava_calls(strava, "/oauth/deauthorize")
    assert api.delete("/me", token=member["access_token"]).status == 202
    eventually(lambda: _strava_calls(strava, "/oauth/deauthorize") == revocations + 1, timeout_s=30)
    fetches = _strava_calls(strava, "/api/v3/activities/")
    _record(strava, athlete_id)
    marker = api.member()
    _record(strava, _connect(api, marker))
    eventually(lambda: _from_strava(api, marker), timeout_s=30)
    assert _strava_calls(strava, "/api/v3/activities/") == fetches + 1


def test_the_data_export_names_the_connected_account_and_holds_no_token(api, strava):
    member = api.member()
    athlete_id = _connect(api, member)
    token = member["access_token"]
    export_id = api.post("/me/export", token=token).body["export_id"]

    def ready():
        reply = api.get(f"/me/export/{export_id}", token=token).body
        return reply if reply.get("status") == "ready" else None

    download = requests.get(eventually(ready, timeout_s=20)["download_url"], timeout=10)
    [strava_account] = download.json()["coaching"]["integrations"]
    assert (strava_account["provider"], strava_account["athlete_id"]) == ("strava", athlete_id)
    assert "access_token" not in download.text
    assert "refresh_token" not in download.text


def test_a_browser_back_from_strava_gets_a_page_that_says_what_happened(api):
    member = api.member()
    callback = _callback_url(api, member)
    browser = {"Accept": "text/html,application/xhtml+xml"}
    connected = requests.get(callback, headers=browser, timeout=20)
    assert connected.status_code == 200
    assert connected.headers["Content-Type"].startswith("text/html")
    assert "<h1>Strava is connected</h1>" in connected.text
    assert "frame-ancestors 'none'" in connected.headers["Content-Security-Policy"]
    again = requests.get(callback, headers=browser, timeout=20)
    assert again.status_code == 400
    assert "This Strava link was already used" in again.text


def test_strava_rate_limit_holds_events_in_the_queue_until_the_window_resets(api, strava, clock):
    """Kept last: it moves the functions' clock to just before a quarter hour (Strava's reset)."""
    member = api.member()
    athlete_id = _connect(api, member)
    usage = requests.post(f"{strava}/_standin/limits", json={}, timeout=10).json()["usage"]
    requests.post(f"{strava}/_standin/limits", json={"short": usage[0] + 1, "daily": 1000}, timeout=10)
    now = datetime.fromisoformat(api.get("/_local/clock").body["now"].replace("Z", "+00:00"))
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + timedelta(
        minutes=15
    )
    clock((quarter - now).total_seconds() - 12)  # the window now resets 12 s from the functions' now
    api.relogin(member)
    try:
        first = _record(strava, athlete_id)  # the window's last call: Strava's headers say it is used up
        eventually(lambda: _from_strava(api, member), timeout_s=10)
        held = _record(strava, athlete_id, start_date="2026-01-03T07:00:00Z")
        time.sleep(2)
        assert len(_from_strava(api, member)) == 1  # held, not fetched into a 429, not lost
        assert _strava_calls(strava, f"/api/v3/activities/{held['id']}") == 0
        requests.post(f"{strava}/_standin/limits", json={"short": 100, "daily": 1000}, timeout=10)
        eventually(lambda: len(_from_strava(api, member)) == 2, timeout_s=30)  # after the reset
        assert _strava_calls(strava, f"/api/v3/activities/{held['id']}") == 1
        assert first["id"] != held["id"]
    finally:
        requests.post(f"{strava}/_standin/limits", json={"short": 100, "daily": 1000}, timeout=10)
