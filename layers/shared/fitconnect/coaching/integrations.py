"""A member's connected fitness apps (Strava): connecting through OAuth, the tokens kept encrypted
and refreshed, disconnecting with revocation at Strava.

- `POST /me/integrations/strava` hands out Strava's authorize URL with a signed, 10-minute `state`
  bound to the member (strava.signed_state); the callback verifies it, claims its nonce once (a
  conditional write), exchanges the code and stores the tokens as one KMS ciphertext whose
  encryption context is the member, so a ciphertext copied to another member's item does not open.
- An athlete is one member's: connecting a Strava account another member holds is refused (and
  the fresh token revoked at once).
- The access token (six hours) is refreshed when it is about to expire or Strava refuses it; the
  new pair replaces the old under `token_version`, so of two refreshes at once one wins and the
  other reads the winner's.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any, Literal

from pynamodb.exceptions import TransactWriteError

from fitconnect.coaching import strava, strava_api
from fitconnect.coaching.models import OAuthStateClaim, StravaAthlete, StravaConnection
from fitconnect.platform import aws, clock
from fitconnect.platform.contract import View
from fitconnect.platform.errors import BadRequest, Conflict, NotFound
from fitconnect.platform.observability import logger
from fitconnect.platform.settings import env
from fitconnect.platform.storage import (
    cancelled_because,
    conditional_save,
    conditional_update,
    get_item,
    transact_write,
    ttl_in,
)

PROVIDERS = ("strava",)
CALLBACK_PATH = "/integrations/strava/callback"
KEY_VAR = "STRAVA_TOKENS_KEY"
REFRESH_MARGIN_S = 300  # refresh a little early: a fetch must not start with a token about to lapse


class AuthorizeView(View):
    authorize_url: str
    expires_in: int


class IntegrationView(View):
    provider: Literal["strava"]
    connected: bool
    athlete_id: int | None = None
    connected_at: str | None = None
    last_event_at: str | None = None
    activities_imported: int = 0


class IntegrationsView(View):
    items: list[IntegrationView]


class Revoked(Exception):
    """Strava no longer accepts the member's tokens: the athlete removed FitConnect on Strava."""


def authorize(user_id: str, base_url: str) -> dict[str, Any]:
    """Strava's authorize URL for the member (409 when already connected)."""
    settings = strava_api.app_settings()
    if get_item(StravaConnection, StravaConnection.key(user_id)) is not None:
        raise Conflict("Strava is already connected; disconnect it first.", code="already_connected")
    state = strava.signed_state(
        user_id, secrets.token_urlsafe(16), clock.now(), strava_api.state_key(settings)
    )
    return {
        "authorize_url": strava_api.authorize_url(settings, base_url + CALLBACK_PATH, state),
        "expires_in": strava.STATE_SECONDS,
    }


def complete(query: dict[str, str]) -> dict[str, Any]:
    """The callback: the member the state names gets the Strava account the code stands for."""
    settings = strava_api.app_settings()
    try:
        user_id, nonce = strava.verified_state(
            query.get("state") or "", clock.now(), strava_api.state_key(settings)
        )
    except strava.InvalidState as invalid:
        raise BadRequest(invalid.reason, code="invalid_state") from None
    if query.get("error") or not query.get("code"):
        raise BadRequest("Strava access was not granted; nothing was connected.", code="access_denied")
    granted = set((query.get("scope") or "").split(","))
    if not granted & {"activity:read", "activity:read_all"}:
        raise BadRequest(
            "FitConnect needs permission to read your activities; connect again and allow it.",
            code="scope_missing",
        )
    claim = OAuthStateClaim(
        *OAuthStateClaim.key(nonce), user_id=user_id, expires_at=ttl_in(strava.STATE_SECONDS)
    )
    if not conditional_save(claim, OAuthStateClaim.pk.does_not_exist()):
        raise BadRequest("This Strava link was already used; connect again from the app.", code="state_used")
    answer = strava_api.exchange_code(settings, query["code"])
    if answer.status != 200:
        raise BadRequest("Strava did not accept this authorisation; connect again.", code="strava_refused")
    return view(_store(user_id, answer.body, ",".join(sorted(granted))))


def page(status: int, message: str) -> tuple[str, dict[str, str]]:
    """The callback's answer to a browser: one sentence (ours, escaped anyway) on a page that loads
    nothing and may not be framed; and its headers."""
    title = "Strava is connected" if status == 200 else "Strava was not connected"
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(message)}</p>"
        "<p>You can close this window and go back to FitConnect.</p></body></html>"
    )
    headers = {
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",  # the page's URL holds the code and state
    }
    return body, headers


def _store(user_id: str, tokens: dict[str, Any], scope: str) -> StravaConnection:
    athlete_id = int(tokens["athlete"]["id"])
    connection = StravaConnection(
        *StravaConnection.key(user_id),
        user_id=user_id,
        athlete_id=athlete_id,
        scope=scope,
        tokens=_seal(user_id, tokens),
        access_expires_at=int(tokens["expires_at"]),
        connected_at=clock.now_iso(),
    )
    athlete = StravaAthlete(*StravaAthlete.key(athlete_id), user_id=user_id)
    try:
        with transact_write() as transaction:
            transaction.save(connection, condition=StravaConnection.pk.does_not_exist())
            transaction.save(
                athlete, condition=StravaAthlete.pk.does_not_exist() | (StravaAthlete.user_id == user_id)
            )
    except TransactWriteError as error:
        if "ConditionalCheckFailed" not in cancelled_because(error):
            raise
        strava_api.deauthorize(str(tokens["access_token"]))  # nobody keeps a token we will not use
        raise Conflict(
            "This Strava account is connected to another FitConnect member, or Strava is already connected.",
            code="already_connected",
        ) from None
    return connection


def listing(user_id: str) -> dict[str, Any]:
    connection = get_item(StravaConnection, StravaConnection.key(user_id))
    items = [
        view(connection)
        if connection
        else {"provider": "strava", "connected": False, "activities_imported": 0}
    ]
    return {"items": items}


def view(connection: StravaConnection) -> dict[str, Any]:
    return {
        "provider": "strava",
        "connected": True,
        "athlete_id": int(connection.athlete_id),
        "connected_at": connection.connected_at,
        "last_event_at": connection.last_event_at,
        "activities_imported": int(connection.activities_imported or 0),
    }


def connection_of_athlete(athlete_id: int) -> StravaConnection | None:
    """The connection of the member the athlete is, if still connected."""
    athlete = get_item(StravaAthlete, StravaAthlete.key(athlete_id), consistent=True)
    if athlete is None:
        return None
    connection = get_item(StravaConnection, StravaConnection.key(str(athlete.user_id)), consistent=True)
    return connection if connection is not None and int(connection.athlete_id) == athlete_id else None


def disconnect(user_id: str) -> None:
    """Revoke at Strava and forget the tokens; imported activities stay. 404 when not connected."""
    connection = get_item(StravaConnection, StravaConnection.key(user_id), consistent=True)
    if connection is None:
        raise NotFound("Strava is not connected.", code="not_connected")
    revoke(connection)


def revoke(connection: StravaConnection) -> None:
    """Revoke the member's access at Strava, then forget the connection (a disconnect, an erasure)."""
    try:
        answer = strava_api.deauthorize(access_token(connection))
        if answer.status not in (200, 401):
            logger.warning("Strava did not revoke the token", extra={"status": answer.status})
    except Revoked:
        pass  # already revoked on Strava's side
    forget(connection)


def forget(connection: StravaConnection) -> None:
    """The connection and its athlete go (repeatable); events for the athlete are ignored from now on."""
    with transact_write() as transaction:
        transaction.delete(connection)
        transaction.delete(
            StravaAthlete(*StravaAthlete.key(int(connection.athlete_id))),
            condition=StravaAthlete.pk.does_not_exist() | (StravaAthlete.user_id == connection.user_id),
        )


def access_token(connection: StravaConnection, *, force_refresh: bool = False) -> str:
    """A valid access token of the member, refreshed first when it is (about to be) expired or
    Strava refused it (`force_refresh`). Revoked when Strava refuses the refresh token too."""
    tokens = _open(connection)
    if not force_refresh and int(connection.access_expires_at) > clock.epoch_seconds() + REFRESH_MARGIN_S:
        return str(tokens["access_token"])
    answer = strava_api.refresh(strava_api.app_settings(), str(tokens["refresh_token"]))
    if answer.status in (400, 401):
        latest = _latest(connection)
        if latest is not None and latest.token_version != connection.token_version:
            return str(_open(latest)["access_token"])  # another worker refreshed first
        raise Revoked
    if answer.status != 200:
        raise Revoked
    fresh = answer.body
    version = int(connection.token_version)
    actions = [
        StravaConnection.tokens.set(_seal(str(connection.user_id), fresh)),
        StravaConnection.access_expires_at.set(int(fresh["expires_at"])),
        StravaConnection.token_version.set(version + 1),
    ]
    if not conditional_update(connection, actions, StravaConnection.token_version == version):
        latest = _latest(connection)
        if latest is None:
            raise Revoked
        return str(_open(latest)["access_token"])
    return str(fresh["access_token"])


def _latest(connection: StravaConnection) -> StravaConnection | None:
    return get_item(StravaConnection, StravaConnection.key(str(connection.user_id)), consistent=True)


def _context(user_id: str) -> dict[str, str]:
    return {"user_id": user_id, "provider": "strava"}


def _seal(user_id: str, tokens: dict[str, Any]) -> bytes:
    plain = json.dumps({"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"]})
    answer = aws.client("kms").encrypt(
        KeyId=env(KEY_VAR), Plaintext=plain.encode(), EncryptionContext=_context(user_id)
    )
    return bytes(answer["CiphertextBlob"])


def _open(connection: StravaConnection) -> dict[str, Any]:
    answer = aws.client("kms").decrypt(
        KeyId=env(KEY_VAR),
        CiphertextBlob=bytes(connection.tokens),
        EncryptionContext=_context(str(connection.user_id)),
    )
    return json.loads(answer["Plaintext"])
