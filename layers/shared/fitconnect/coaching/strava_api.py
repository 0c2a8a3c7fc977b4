"""Strava's HTTP API as the connection uses it: the code exchange and token refresh,
deauthorisation and one activity (the push subscription is registered once per stage by
infra/deploy/strava_subscription.py). Nothing here knows a member (integrations.py does).

Configuration: `STRAVA_BASE_URL` (the template's StravaBaseUrl: https://www.strava.com deployed, the
stand-in locally) and the secret `STRAVA_SECRET`, JSON `client_id`, `client_secret` of the API
application. The OAuth state is signed with a key derived from the client secret, so rotating the
secret (at Strava and here) also retires every state in flight.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fitconnect.coaching.strava import RateLimits
from fitconnect.platform.errors import ServiceUnavailable
from fitconnect.platform.secrets import secret_json
from fitconnect.platform.settings import env

SCOPE = "read,activity:read_all"  # private activities too: a member's training is often private
TIMEOUT_S = 5  # well inside API Gateway's 30 s and the functions' 10 s


@dataclass(frozen=True)
class Answer:
    """Strava's answer: its status, its JSON body ({} when it had none) and the rate limits it reported."""

    status: int
    body: Any
    limits: RateLimits | None


def app_settings() -> dict[str, Any]:
    """The API application's `client_id` and `client_secret`; 503 while the stage has none."""
    settings = secret_json("STRAVA_SECRET")
    if not (settings.get("client_id") and settings.get("client_secret")):
        raise ServiceUnavailable(
            "Strava is not configured on this platform yet.", code="strava_not_configured"
        )
    return settings


def state_key(settings: dict[str, Any]) -> bytes:
    return hmac.new(
        str(settings["client_secret"]).encode(), b"fitconnect oauth state", hashlib.sha256
    ).digest()


def base_url() -> str:
    return env("STRAVA_BASE_URL").rstrip("/")


def authorize_url(settings: dict[str, Any], redirect_uri: str, state: str) -> str:
    query = {
        "client_id": settings["client_id"],
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "approval_prompt": "auto",
        "scope": SCOPE,
        "state": state,
    }
    return f"{base_url()}/oauth/authorize?{urlencode(query)}"


def exchange_code(settings: dict[str, Any], code: str) -> Answer:
    return _call(
        "POST", "/oauth/token", form={**_client(settings), "code": code, "grant_type": "authorization_code"}
    )


def refresh(settings: dict[str, Any], refresh_token: str) -> Answer:
    form = {**_client(settings), "refresh_token": refresh_token, "grant_type": "refresh_token"}
    return _call("POST", "/oauth/token", form=form)


def deauthorize(access_token: str) -> Answer:
    return _call("POST", "/oauth/deauthorize", form={"access_token": access_token})


def activity(access_token: str, activity_id: int) -> Answer:
    return _call("GET", f"/api/v3/activities/{int(activity_id)}", token=access_token)


def _client(settings: dict[str, Any]) -> dict[str, str]:
    return {"client_id": str(settings["client_id"]), "client_secret": str(settings["client_secret"])}


def _call(method: str, path: str, *, form: dict[str, str] | None = None, token: str | None = None) -> Answer:
    """One request; Strava's 4xx and 429 are answers, a network failure or its 5xx is ServiceUnavailable."""
    data = urlencode(form).encode() if form is not None else None
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"{base_url()}{path}", data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - Strava's base URL
            status, raw, answer_headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, answer_headers = error.code, error.read(), dict(error.headers or {})
    except (urllib.error.URLError, TimeoutError) as error:
        raise ServiceUnavailable(
            "Strava did not answer; try again shortly.", code="strava_unavailable"
        ) from error
    if status >= 500:
        raise ServiceUnavailable("Strava did not answer; try again shortly.", code="strava_unavailable")
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        body = {}
    return Answer(status, body, RateLimits.from_headers(answer_headers))
