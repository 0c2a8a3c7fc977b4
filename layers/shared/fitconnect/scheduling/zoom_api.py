"""Zoom's side of live sessions: the Server-to-Server OAuth app's settings, its access token and
meeting creation, and the webhooks' signature. Nothing here knows a session (zoom.py does).

Configuration is two secrets: `ZOOM_SECRET`, JSON `account_id`, `client_id`, `client_secret` (the
S2S OAuth app; `oauth_url` and `api_base` default to Zoom's and point elsewhere only in tests), and
`ZOOM_WEBHOOK_SECRET`, JSON `webhook_secret_token` (the app's event subscription), which is all the
public webhook function may read.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.request
from typing import Any

from fitconnect.platform import clock
from fitconnect.platform.errors import Unauthorized
from fitconnect.platform.secrets import secret_json

OAUTH_URL = "https://zoom.us/oauth/token"
API_BASE = "https://api.zoom.us/v2"
SIGNATURE_MAX_AGE_S = 300


def config() -> dict[str, Any]:
    """The OAuth app's settings."""
    return secret_json("ZOOM_SECRET")


def _webhook_token() -> str:
    return str(secret_json("ZOOM_WEBHOOK_SECRET").get("webhook_secret_token") or "")


def configured() -> bool:
    settings = config()
    return all(settings.get(name) for name in ("account_id", "client_id", "client_secret"))


def _post(url: str, body: dict[str, Any] | None, headers: dict[str, str]) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=8) as response:  # noqa: S310 - Zoom's or the test stub's
        return json.loads(response.read() or b"{}")


def access_token(settings: dict[str, Any]) -> str:
    basic = base64.b64encode(f"{settings['client_id']}:{settings['client_secret']}".encode()).decode()
    query = f"grant_type=account_credentials&account_id={settings['account_id']}"
    url = f"{settings.get('oauth_url', OAUTH_URL)}?{query}"
    return str(_post(url, None, {"Authorization": f"Basic {basic}"})["access_token"])


def create_meeting(
    settings: dict[str, Any], token: str, *, topic: str, starts_at: str, duration_min: int
) -> dict[str, Any]:
    """A scheduled meeting (waiting room, no joining before the host); Zoom's answer has `id`, `join_url`."""
    return _post(
        f"{settings.get('api_base', API_BASE)}/users/me/meetings",
        {
            "topic": topic,
            "type": 2,
            "start_time": starts_at.replace(".000Z", "Z"),
            "duration": duration_min,
            "timezone": "UTC",
            "settings": {"join_before_host": False, "waiting_room": True},
        },
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


def verify_signature(headers: dict[str, str], body: str) -> None:
    secret = _webhook_token()
    timestamp = headers.get("x-zm-request-timestamp", "")
    signature = headers.get("x-zm-signature", "")
    if (
        not secret
        or not timestamp.isdigit()
        or abs(clock.epoch_seconds() - int(timestamp)) > SIGNATURE_MAX_AGE_S
    ):
        raise Unauthorized("The Zoom signature is missing or stale.", code="invalid_signature")
    expected = "v0=" + _hmac(secret, f"v0:{timestamp}:{body}")
    if not hmac.compare_digest(expected, signature):
        raise Unauthorized("The Zoom signature does not match.", code="invalid_signature")


def _hmac(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def url_validation(plain_token: str) -> dict[str, str]:
    """The answer to Zoom's `endpoint.url_validation` challenge."""
    return {"plainToken": plain_token, "encryptedToken": _hmac(_webhook_token(), plain_token)}
