"""Live sessions over HTTP: Zoom meetings through a local stand-in of Zoom's API, signed webhooks."""

import hashlib
import hmac
import json
import time

import pytest
import requests

from tests.support.local import aws, eventually
from tests.support.zoom import LocalZoom


@pytest.fixture(scope="module")
def zoom(platform, api):
    """Zoom configured (the secret an operator would fill) and pointed at a local stand-in."""
    stand_in = LocalZoom()
    secrets = aws(platform, "secretsmanager")
    name = platform.template.physical["ZoomSecret"].attrs["Name"]
    current = json.loads(secrets.get_secret_value(SecretId=name)["SecretString"])
    settings = {
        **current,
        "account_id": "acc-1",
        "client_id": "client-1",
        "client_secret": "s3cret",
        "oauth_url": f"{stand_in.url}/oauth/token",
        "api_base": f"{stand_in.url}/v2",
    }
    secrets.put_secret_value(SecretId=name, SecretString=json.dumps(settings))
    webhook_name = platform.template.physical["ZoomWebhookSecret"].attrs["Name"]
    token = json.loads(secrets.get_secret_value(SecretId=webhook_name)["SecretString"])[
        "webhook_secret_token"
    ]
    api.post("/_local/clock", {"advance_s": 301})  # functions re-read the secret after 5 minutes
    yield stand_in, {**settings, "webhook_secret_token": token}
    api.post("/_local/clock", {"offset_s": 0})
    secrets.put_secret_value(SecretId=name, SecretString=json.dumps(current))
    stand_in.stop()


def webhook(api, secret, event, timestamp=None):
    body = json.dumps(event)
    timestamp = str(timestamp or int(time.time()) + 301)  # the functions' clock is 301 s ahead
    signature = (
        "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    )
    headers = {
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": signature,
        "content-type": "application/json",
    }
    return requests.post(api.base_url + "/webhooks/zoom", data=body, headers=headers, timeout=10)


def test_a_live_session_gets_a_meeting_and_zoom_starts_and_ends_it(api, zoom):
    stand_in, settings = zoom
    admin = api.login("admin@fitconnect.local", "fitconnect-demo").body["access_token"]
    trainer = api.approved_trainer(admin)
    body = {
        "title": "Live HIIT",
        "starts_at": "2027-02-01T18:00:00Z",
        "duration_min": 30,
        "capacity": 10,
        "price_cents": 0,
        "currency": "usd",
        "kind": "live",
    }
    session = api.post("/sessions", body, token=trainer["access_token"]).body
    assert session["video"] == {"provider": "zoom", "status": "pending"}

    def ready():
        current = api.get(f"/sessions/{session['session_id']}").body
        return current if current["video"]["status"] == "ready" else None

    assert eventually(ready, timeout_s=20)
    created = [r for r in stand_in.requests if r["path"] == "/v2/users/me/meetings"][-1]["body"]
    assert (created["topic"], created["start_time"], created["duration"]) == (
        "Live HIIT",
        "2027-02-01T18:00:00Z",
        30,
    )
    assert "join_url" not in json.dumps(api.get(f"/sessions/{session['session_id']}").body)

    member = api.member()
    booking = api.post(f"/sessions/{session['session_id']}/bookings", token=member["access_token"]).body
    seen = api.get(f"/bookings/{booking['booking_id']}", token=member["access_token"]).body
    assert seen["join_url"].startswith("https://zoom.us/j/")
    meeting_id = seen["join_url"].rsplit("/", 1)[1]

    secret = settings["webhook_secret_token"]
    validation = webhook(
        api, secret, {"event": "endpoint.url_validation", "payload": {"plainToken": "abc123"}}
    )
    expected = hmac.new(secret.encode(), b"abc123", hashlib.sha256).hexdigest()
    assert validation.json() == {"plainToken": "abc123", "encryptedToken": expected}

    started = {"event": "meeting.started", "payload": {"object": {"id": int(meeting_id)}}}
    assert webhook(api, "wrong-secret", started).status_code == 401
    assert webhook(api, secret, started).json() == {"status": "applied"}
    assert webhook(api, secret, started).status_code == 200  # a redelivery changes nothing
    assert api.get(f"/sessions/{session['session_id']}").body["status"] == "live"
    ended = {"event": "meeting.ended", "payload": {"object": {"id": int(meeting_id)}}}
    assert webhook(api, secret, ended).json() == {"status": "applied"}
    assert api.get(f"/sessions/{session['session_id']}").body["status"] == "ended"


@pytest.mark.parametrize(
    "odd", [[], {}, {"event": "meeting.started", "payload": []}, {"event": 5, "payload": {}}]
)
def test_a_signed_body_that_is_not_a_zoom_event_is_a_400(api, zoom, odd):
    _stand_in, settings = zoom
    response = webhook(api, settings["webhook_secret_token"], odd)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_event")


def test_a_started_event_whose_object_is_not_a_meeting_is_ignored(api, zoom):
    _stand_in, settings = zoom
    odd = {"event": "meeting.started", "payload": {"object": "nope"}}
    response = webhook(api, settings["webhook_secret_token"], odd)
    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
