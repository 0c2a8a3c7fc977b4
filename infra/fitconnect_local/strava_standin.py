"""A local stand-in for Strava (https://developers.strava.com/docs/): OAuth (authorize, token
exchange and refresh, deauthorize), an athlete's activities, rate limits with Strava's headers, and
webhook events to a push subscription — in memory, so the connection runs end to end with no
Strava account.

The athlete approves at once: `GET /oauth/authorize` redirects to `redirect_uri` with a code (a new
athlete, or `athlete_id=` to reconnect one). What a test or a person does on Strava's side goes
through `/_standin/...`: record, edit or delete an activity (the subscription gets Strava's event),
revoke the app from the athlete's settings, expire access tokens, set the rate limits; the local
runtime gives it the application's client id and secret (`PUT /_standin/app`) from the template's
StravaSecret.

    python -m fitconnect_local.strava_standin --port 8431
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

TOKEN_SECONDS = 6 * 3600  # Strava's access tokens live six hours


class StravaStandIn:
    def __init__(self, client_id: str = "1001", client_secret: str | None = None) -> None:
        # A secret of this run: the local runtime hands it to the template's Strava secret.
        self.client_id, self.client_secret = client_id, client_secret or secrets.token_hex(16)
        self.lock = threading.Lock()
        self.ids = itertools.count(9_100_000_001)
        self.codes: dict[str, int] = {}
        self.access: dict[str, tuple[int, float]] = {}  # token → (athlete, expires at)
        self.refresh: dict[str, int] = {}
        self.activities: dict[int, dict[str, Any]] = {}
        self.subscription: dict[str, Any] | None = None
        self.limits, self.window_usage, self.day_usage = (100, 1000), 0, 0
        self.window_started = self._quarter(time.time())
        self.log: list[dict[str, Any]] = []

    # -- OAuth
    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return 400, {}, {"message": "Bad Request", "errors": [{"field": "client_id", "code": "invalid"}]}
        athlete = int(query.get("athlete_id") or next(self.ids))
        code = secrets.token_hex(16)
        self.codes[code] = athlete
        answer = {"state": query.get("state", ""), "code": code, "scope": "read,activity:read_all"}
        location = query["redirect_uri"] + ("&" if "?" in query["redirect_uri"] else "?") + urlencode(answer)
        return 302, {"Location": location}, None

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {}, {"message": "Authorization Error", "errors": [{"field": "client_secret"}]}
        grant = form.get("grant_type")
        if grant == "authorization_code" and form.get("code") in self.codes:
            athlete = self.codes.pop(form["code"])  # a code is good once
            return 200, {}, {**self._tokens(athlete), "athlete": {"id": athlete, "firstname": "Local"}}
        if grant == "refresh_token" and form.get("refresh_token") in self.refresh:
            return 200, {}, self._tokens(self.refresh.pop(form["refresh_token"]))
        return 400, {}, {"message": "Bad Request", "errors": [{"field": "code", "code": "invalid"}]}

    def _tokens(self, athlete: int) -> dict[str, Any]:
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        expires_at = int(time.time()) + TOKEN_SECONDS
        self.access[access], self.refresh[refresh] = (athlete, expires_at), athlete
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": expires_at,
            "expires_in": TOKEN_SECONDS,
        }

    def deauthorize(self, token: str | None) -> tuple[int, dict[str, str], Any]:
        athlete = self._athlete(token)
        if athlete is None:
            return 401, {}, {"message": "Authorization Error"}
        self._revoke(athlete)
        return 200, {}, {"access_token": token}

    def _revoke(self, athlete: int) -> None:
        self.access = {token: held for token, held in self.access.items() if held[0] != athlete}
        self.refresh = {token: held for token, held in self.refresh.items() if held != athlete}

    def _athlete(self, token: str | None) -> int | None:
        held = self.access.get(token or "")
        return held[0] if held and held[1] > time.time() else None

    # -- the API
    def activity(self, activity_id: int, token: str | None) -> tuple[int, dict[str, str], Any]:
        limited = self._count()
        if limited:
            return limited
        athlete = self._athlete(token)
        if athlete is None:
            return 401, self._limit_headers(), {"message": "Authorization Error"}
        found = self.activities.get(activity_id)
        if found is None or found["athlete"]["id"] != athlete:
            return 404, self._limit_headers(), {"message": "Record Not Found"}
        return 200, self._limit_headers(), found

    def _count(self) -> tuple[int, dict[str, str], Any] | None:
        now = time.time()
        if self._quarter(now) != self.window_started:
            self.window_started, self.window_usage = self._quarter(now), 0
        self.window_usage += 1
        self.day_usage += 1
        if self.window_usage > self.limits[0] or self.day_usage > self.limits[1]:
            return 429, self._limit_headers(), {"message": "Rate Limit Exceeded"}
        return None

    def _limit_headers(self) -> dict[str, str]:
        limit = f"{self.limits[0]},{self.limits[1]}"
        usage = f"{self.window_usage},{self.day_usage}"
        return {"X-RateLimit-Limit": limit, "X-RateLimit-Usage": usage}

    @staticmethod
    def _quarter(moment: float) -> int:
        return int(moment // 900)

    def subscribe(self, form: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, {}, {"message": "Authorization Error"}
        challenge = secrets.token_hex(8)
        query = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": form["verify_token"],
        }
        answer = requests.get(form["callback_url"], params=query, timeout=2)  # Strava gives it 2 s
        if answer.status_code != 200 or answer.json().get("hub.challenge") != challenge:
            return (
                400,
                {},
                {"message": "Bad Request", "errors": [{"field": "callback url", "code": "not verifiable"}]},
            )
        self.subscription = {"id": next(self.ids), "callback_url": form["callback_url"]}
        return 201, {}, {"id": self.subscription["id"]}

    # -- what happens on Strava's side (/_standin)
    def record(self, athlete: int, fields: dict[str, Any], times: int = 1) -> dict[str, Any]:
        """A new activity; its create event is delivered `times` times (Strava's retries)."""
        activity = {"id": next(self.ids), "athlete": {"id": athlete}, "resource_state": 3, **fields}
        self.activities[activity["id"]] = activity
        self.send_event("activity", activity["id"], athlete, "create", times=times)
        return activity

    def edit(self, activity_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        activity = self.activities[activity_id]
        activity.update(changes)
        self.send_event("activity", activity_id, activity["athlete"]["id"], "update", changes)
        return activity

    def delete(self, activity_id: int) -> None:
        activity = self.activities.pop(activity_id)
        self.send_event("activity", activity_id, activity["athlete"]["id"], "delete")

    def revoke_from_settings(self, athlete: int) -> None:
        self._revoke(athlete)
        self.send_event("athlete", athlete, athlete, "update", {"authorized": "false"})

    def expire_tokens(self, athlete: int) -> None:
        self.access = {t: (a, 0 if a == athlete else e) for t, (a, e) in self.access.items()}

    def event(self, object_type: str, object_id: int, owner: int, aspect: str, updates: Any = None) -> dict:
        return {
            "aspect_type": aspect,
            "event_time": int(datetime.now(UTC).timestamp()),
            "object_id": object_id,
            "object_type": object_type,
            "owner_id": owner,
            "subscription_id": (self.subscription or {}).get("id", 0),
            "updates": updates or {},
        }

    def send_event(self, *args: Any, times: int = 1) -> None:
        """Strava's webhook POST (`times` > 1: Strava's retries when an answer is slow)."""
        if self.subscription is None:
            return
        body = self.event(*args)
        for _ in range(times):
            for _attempt in range(3):  # Strava retries an event not answered 200 within 2 s, 3 times in all
                try:
                    if (
                        requests.post(self.subscription["callback_url"], json=body, timeout=2).status_code
                        == 200
                    ):
                        break
                except requests.RequestException:
                    continue


def serve(standin: StravaStandIn, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:  # the runtime logs what matters
            pass

        def _answer(self, status: int, headers: dict[str, str], body: Any) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in {**headers, "Content-Type": "application/json"}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _form(self) -> dict[str, Any]:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if raw.startswith("{"):
                return json.loads(raw)
            return dict(parse_qsl(raw)) | dict(parse_qsl(urlsplit(self.path).query))

        def _bearer(self) -> str | None:
            header = self.headers.get("Authorization") or ""
            return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            with standin.lock:
                standin.log.append({"method": "GET", "path": url.path})
                if url.path == "/oauth/authorize":
                    return self._answer(*standin.authorize(dict(parse_qsl(url.query))))
                if url.path.startswith("/api/v3/activities/"):
                    activity_id = int(url.path.rsplit("/", 1)[-1])
                    return self._answer(*standin.activity(activity_id, self._bearer()))
                if url.path == "/_standin/requests":
                    return self._answer(200, {}, {"items": standin.log})
            return self._answer(404, {}, {"message": "Record Not Found"})

        def do_POST(self) -> None:
            url, form = urlsplit(self.path), self._form()
            standin.log.append({"method": "POST", "path": url.path})
            parts = url.path.strip("/").split("/")
            if url.path == "/oauth/token":
                with standin.lock:
                    return self._answer(*standin.token(form))
            if url.path == "/oauth/deauthorize":
                with standin.lock:
                    return self._answer(*standin.deauthorize(form.get("access_token") or self._bearer()))
            if url.path == "/api/v3/push_subscriptions":
                return self._answer(*standin.subscribe(form))
            if parts[:2] == ["_standin", "athletes"] and parts[3:] == ["activities"]:
                times = int(dict(parse_qsl(url.query)).get("times", 1))
                return self._answer(201, {}, standin.record(int(parts[2]), form, times))
            if parts[:2] == ["_standin", "athletes"] and parts[3:] == ["deauthorize"]:
                standin.revoke_from_settings(int(parts[2]))
                return self._answer(204, {}, None)
            if parts[:2] == ["_standin", "athletes"] and parts[3:] == ["expire"]:
                standin.expire_tokens(int(parts[2]))
                return self._answer(204, {}, None)
            if url.path == "/_standin/events":  # an event as Strava would send it, `times` over (its retries)
                fields = ("object_type", "object_id", "owner_id", "aspect_type", "updates")
                standin.send_event(*(form.get(name) for name in fields), times=int(form.get("times", 1)))
                return self._answer(204, {}, None)
            if url.path == "/_standin/limits":
                with standin.lock:
                    if "short" in form:
                        standin.limits = (int(form["short"]), int(form["daily"]))
                    usage = (standin.window_usage, standin.day_usage)
                return self._answer(200, {}, {"limits": standin.limits, "usage": usage})
            return self._answer(404, {}, {"message": "Record Not Found"})

        def do_PUT(self) -> None:
            parts = urlsplit(self.path).path.strip("/").split("/")
            if parts == ["_standin", "app"]:  # the runtime hands over the template secret's values
                form = self._form()
                with standin.lock:
                    standin.client_id, standin.client_secret = (
                        str(form["client_id"]),
                        str(form["client_secret"]),
                    )
                return self._answer(204, {}, None)
            if parts[:2] == ["_standin", "activities"]:
                return self._answer(200, {}, standin.edit(int(parts[2]), self._form()))
            return self._answer(404, {}, {"message": "Record Not Found"})

        def do_DELETE(self) -> None:
            parts = urlsplit(self.path).path.strip("/").split("/")
            if parts[:2] == ["_standin", "activities"]:
                standin.delete(int(parts[2]))
                return self._answer(204, {}, None)
            return self._answer(404, {}, {"message": "Record Not Found"})

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    serve(StravaStandIn(), args.port)
    threading.Event().wait()


if __name__ == "__main__":
    main()
