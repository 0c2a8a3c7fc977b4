"""The local Strava behaves as Strava does where the connection relies on it: a code is good once,
tokens refresh and are revoked, an activity is its athlete's alone, limits answer 429 with
Strava's headers, and a subscription is verified with a challenge before events are sent to it."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from fitconnect_local.strava_standin import StravaStandIn, serve
from tests.support.local import free_port


@pytest.fixture
def strava():
    standin = StravaStandIn()
    port = free_port()
    server = serve(standin, port)
    yield standin, f"http://127.0.0.1:{port}"
    server.shutdown()


def _connect(base, standin, **extra):
    query = {"client_id": standin.client_id, "redirect_uri": "http://app.local/cb", "response_type": "code"}
    answer = requests.get(
        f"{base}/oauth/authorize", params={**query, "state": "s1", **extra}, allow_redirects=False
    )
    assert answer.status_code == 302
    back = dict(parse_qsl(urlsplit(answer.headers["Location"]).query))
    assert back["state"] == "s1"
    form = {"client_id": standin.client_id, "client_secret": standin.client_secret}
    tokens = requests.post(
        f"{base}/oauth/token", data={**form, "grant_type": "authorization_code", "code": back["code"]}
    )
    assert tokens.status_code == 200
    again = requests.post(
        f"{base}/oauth/token", data={**form, "grant_type": "authorization_code", "code": back["code"]}
    )
    assert again.status_code == 400  # a code is good once
    return tokens.json()


def test_an_athlete_reads_their_own_activity_and_no_one_elses(strava):
    standin, base = strava
    mine, theirs = _connect(base, standin), _connect(base, standin)
    activity = standin.record(mine["athlete"]["id"], {"sport_type": "Run", "elapsed_time": 1800})
    read = requests.get(
        f"{base}/api/v3/activities/{activity['id']}",
        headers={"Authorization": f"Bearer {mine['access_token']}"},
    )
    assert (read.status_code, read.json()["sport_type"]) == (200, "Run")
    assert read.headers["X-RateLimit-Limit"] == "100,1000"
    other = requests.get(
        f"{base}/api/v3/activities/{activity['id']}",
        headers={"Authorization": f"Bearer {theirs['access_token']}"},
    )
    assert other.status_code == 404


def test_an_expired_token_is_refused_until_refreshed_and_a_revoked_one_for_good(strava):
    standin, base = strava
    tokens = _connect(base, standin)
    athlete = tokens["athlete"]["id"]
    activity = standin.record(athlete, {"sport_type": "Ride"})
    url = f"{base}/api/v3/activities/{activity['id']}"
    standin.expire_tokens(athlete)
    assert requests.get(url, headers={"Authorization": f"Bearer {tokens['access_token']}"}).status_code == 401
    form = {"client_id": standin.client_id, "client_secret": standin.client_secret}
    fresh = requests.post(
        f"{base}/oauth/token",
        data={**form, "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    ).json()
    assert requests.get(url, headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code == 200
    assert (
        requests.post(f"{base}/oauth/deauthorize", data={"access_token": fresh["access_token"]}).status_code
        == 200
    )
    assert requests.get(url, headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code == 401
    refreshed = requests.post(
        f"{base}/oauth/token",
        data={**form, "grant_type": "refresh_token", "refresh_token": fresh["refresh_token"]},
    )
    assert refreshed.status_code == 400


def test_past_the_limit_strava_answers_429_with_its_usage(strava):
    standin, base = strava
    tokens = _connect(base, standin)
    standin.limits = (2, 1000)
    activity = standin.record(tokens["athlete"]["id"], {"sport_type": "Walk"})
    url, auth = (
        f"{base}/api/v3/activities/{activity['id']}",
        {"Authorization": f"Bearer {tokens['access_token']}"},
    )
    statuses = [requests.get(url, headers=auth).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert requests.get(url, headers=auth).headers["X-RateLimit-Usage"].startswith("4,")


def test_a_subscription_is_verified_then_gets_each_event(strava):
    standin, base = strava
    received, verify_token = [], "let-me-in"

    class Callback(BaseHTTPRequestHandler):
        def log_message(self, *_):
            pass

        def do_GET(self):
            query = dict(parse_qsl(urlsplit(self.path).query))
            ok = query["hub.verify_token"] == verify_token
            body = json.dumps({"hub.challenge": query["hub.challenge"]}).encode() if ok else b"{}"
            self.send_response(200 if ok else 403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    port = free_port()
    callback = ThreadingHTTPServer(("127.0.0.1", port), Callback)
    threading.Thread(target=callback.serve_forever, daemon=True).start()
    form = {"client_id": standin.client_id, "client_secret": standin.client_secret}
    url = f"http://127.0.0.1:{port}/webhooks/strava"
    wrong = requests.post(
        f"{base}/api/v3/push_subscriptions", data={**form, "callback_url": url, "verify_token": "no"}
    )
    assert wrong.status_code == 400
    made = requests.post(
        f"{base}/api/v3/push_subscriptions", data={**form, "callback_url": url, "verify_token": verify_token}
    )
    assert made.status_code == 201
    tokens = _connect(base, standin)
    athlete = tokens["athlete"]["id"]
    activity = standin.record(athlete, {"sport_type": "Run"})
    standin.edit(activity["id"], {"name": "Renamed"})
    standin.delete(activity["id"])
    standin.revoke_from_settings(athlete)
    callback.shutdown()
    assert [(e["object_type"], e["aspect_type"]) for e in received] == [
        ("activity", "create"),
        ("activity", "update"),
        ("activity", "delete"),
        ("athlete", "update"),
    ]
    assert {e["subscription_id"] for e in received} == {made.json()["id"]}
    assert received[-1]["updates"] == {"authorized": "false"}
