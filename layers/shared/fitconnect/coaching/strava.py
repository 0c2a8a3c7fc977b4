"""Strava's side of the connection, as pure functions the connection's functions build on: the
OAuth `state` that binds an authorisation to one member, Strava's rate limits read from its
headers, and a Strava activity as one of ours.

- `state` is signed (HMAC-SHA256 with the connection secret), short-lived (10 minutes) and carries a
  nonce that the callback claims once (a conditional write), so a state cannot be replayed, forged
  for another member, or used after it expires.
- Strava limits an application per 15 minutes (reset at :00, :15, :30 and :45) and per UTC day, for
  all requests and separately for reads; every answer reports limits and usage in
  `X-RateLimit-*` and `X-ReadRateLimit-*`. `RateLimits.wait_s` is how long to hold further calls
  (the queue's consumer leaves events there meanwhile).
  https://developers.strava.com/docs/rate-limits
- An activity is read for what a workout is (start, elapsed time, distance, climb, heart rate,
  calories, sport); Strava's ids are the key of the import (coaching.activities.import_workout).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fitconnect.coaching.workout_files import Workout, sport_type

STATE_SECONDS = 600
WINDOW = timedelta(minutes=15)


class InvalidState(Exception):
    """The callback's state was not made by us for a member, or has expired; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed_state(user_id: str, nonce: str, now: datetime, secret: bytes) -> str:
    """`<payload>.<signature>`: the member, a nonce the callback claims once, and the expiry."""
    payload = _b64(json.dumps({"u": user_id, "n": nonce, "e": int(now.timestamp()) + STATE_SECONDS}).encode())
    return f"{payload}.{_b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())}"


def verified_state(state: str, now: datetime, secret: bytes) -> tuple[str, str]:
    """(user_id, nonce) of a state we signed that has not expired; InvalidState otherwise."""
    payload, _, signature = state.partition(".")
    expected = _b64(hmac.new(secret, payload.encode(), hashlib.sha256).digest())
    if not payload or not hmac.compare_digest(signature, expected):
        raise InvalidState("This sign-in link was not made by FitConnect.")
    try:
        claims = json.loads(_unb64(payload))
        user_id, nonce, expires = str(claims["u"]), str(claims["n"]), int(claims["e"])
    except (ValueError, KeyError, TypeError):
        raise InvalidState("This sign-in link was not made by FitConnect.") from None
    if now.timestamp() > expires:
        raise InvalidState("This sign-in link has expired; connect Strava again from the app.")
    return user_id, nonce


@dataclass(frozen=True)
class RateLimits:
    """Strava's limits and usage from one answer: (15-minute, daily) for all requests and reads."""

    overall_limit: tuple[int, int]
    overall_usage: tuple[int, int]
    read_limit: tuple[int, int] | None = None
    read_usage: tuple[int, int] | None = None

    @classmethod
    def from_headers(cls, headers: dict[str, str]) -> RateLimits | None:
        lowered = {name.lower(): value for name, value in headers.items()}

        def pair(name: str) -> tuple[int, int] | None:
            try:
                short, daily = (int(part) for part in lowered[name].split(","))
            except (KeyError, ValueError):
                return None
            return short, daily

        overall_limit, overall_usage = pair("x-ratelimit-limit"), pair("x-ratelimit-usage")
        if overall_limit is None or overall_usage is None:
            return None
        return cls(overall_limit, overall_usage, pair("x-readratelimit-limit"), pair("x-readratelimit-usage"))

    def wait_s(self, now: datetime) -> float:
        """0 while both windows have room; else the seconds to the next reset that gives some."""
        pairs = [(self.overall_limit, self.overall_usage)]
        if self.read_limit and self.read_usage:
            pairs.append((self.read_limit, self.read_usage))
        if any(usage[1] >= limit[1] for limit, usage in pairs):
            midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            return (midnight - now).total_seconds()
        if any(usage[0] >= limit[0] for limit, usage in pairs):
            return seconds_to_next_window(now)
        return 0.0


def seconds_to_next_window(now: datetime) -> float:
    """Seconds to Strava's next 15-minute reset (:00, :15, :30, :45)."""
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0) + WINDOW
    return (quarter - now).total_seconds()


def workout_of(activity: dict[str, Any]) -> Workout:
    """A Strava activity (GET /api/v3/activities/{id}) as a workout."""
    started = datetime.fromisoformat(str(activity["start_date"]).replace("Z", "+00:00")).astimezone(UTC)

    def figure(name: str) -> float | None:
        value = activity.get(name)
        return float(value) if isinstance(value, int | float) and value > 0 else None

    heart = activity.get("has_heartrate", True)
    average, maximum = figure("average_heartrate"), figure("max_heartrate")
    return Workout(
        type=sport_type(str(activity.get("sport_type") or activity.get("type") or "")),
        started_at=started.replace(microsecond=0),
        duration_s=int(activity.get("elapsed_time") or activity.get("moving_time") or 0),
        distance_m=round(figure("distance"), 1) if figure("distance") else None,
        avg_heart_rate=round(average) if heart and average and 25 <= average <= 250 else None,
        max_heart_rate=round(maximum) if heart and maximum and 25 <= maximum <= 250 else None,
        elevation_gain_m=figure("total_elevation_gain"),
        calories=round(figure("calories")) if figure("calories") else None,
    )
