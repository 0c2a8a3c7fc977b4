"""The Lambda REQUEST authorizer's decision: who a bearer token belongs to, if anyone.

Verification is `jwt_checks.verify_jwt` against the published JWKS. Then the account must still
be active; its current role is taken from the account, so an admin's change applies within
`ACCOUNT_CACHE_SECONDS` even to tokens issued before it, and at once to a token from a new login.
And the token's login (`sid`, its token family) must stand: logout, a password reset, disabling
or erasure revoke it, so an access token already handed out stops within `SESSION_CACHE_SECONDS`.

The authorizer never denies at the gateway: API Gateway would answer `{"message": ...}` without
the API's error shape. It allows every request and hands either `{user_id, role}` or
`{auth_error, auth_message}` to the function, whose resolver refuses anonymous callers on any
route that is not public (see `fitconnect.platform.auth`).
"""

from __future__ import annotations

from typing import Any

import jwt

from fitconnect.identity import tokens
from fitconnect.identity.jwt_checks import Rejection, verify_jwt
from fitconnect.identity.models import Account
from fitconnect.platform import clock
from fitconnect.platform.storage import get_item, get_many

ACCOUNT_CACHE_SECONDS = 60
SESSION_CACHE_SECONDS = 60
JWKS_CACHE_SECONDS = 300
JWKS_REFRESH_MIN_SECONDS = 30  # an unknown kid refetches the JWKS at most this often
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "sid"]


class _JwksCache:
    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.fetched_at = 0

    def key(self, kid: str) -> Any | None:
        stale = not clock.is_fresh(self.fetched_at, JWKS_CACHE_SECONDS)
        unknown = kid not in self.keys and not clock.is_fresh(self.fetched_at, JWKS_REFRESH_MIN_SECONDS)
        if stale or unknown:
            self._fetch()
        return self.keys.get(kid)

    def _fetch(self) -> None:
        # Lazy for cold start: keys imports cryptography's key generation, which only a refetch needs.
        from fitconnect.identity.keys import public_jwks

        published = public_jwks()
        keys = jwt.PyJWKSet.from_dict(published).keys if published.get("keys") else []
        self.keys = {key.key_id: key.key for key in keys}
        self.fetched_at = clock.epoch_seconds()


_jwks = _JwksCache()
# user_id -> (fetched at, status, role), in domain-clock seconds: moving the clock expires it.
_accounts: dict[str, tuple[int, str, str]] = {}
# (user_id, sid) -> (fetched at, live): a revoked login stays revoked, so only "live" is re-read.
_sessions: dict[tuple[str, str], tuple[int, bool]] = {}


def verify_access_token(token: str) -> dict[str, Any]:
    """The claims of a valid access token of ours; `Rejection` otherwise."""
    return verify_jwt(
        token,
        key_for_kid=_jwks.key,
        issuer=tokens.issuer(),
        audience=tokens.audience(),
        required=REQUIRED_CLAIMS,
    )


def _account_standing(user_id: str, token_issued_at: float, account: Any = None) -> tuple[str, str]:
    """(status, role), from the cache, or `account` when read already (`tokens.NOT_FOUND`: read,
    and missing), else read."""
    cached = _accounts.get(user_id)
    # A token issued after the entry was read (a new login) always sees the account as it is now.
    if account is None and _account_cached(cached, token_issued_at):
        return cached[1], cached[2]
    if account is None:
        account = get_item(Account, Account.key(user_id))
    elif account is tokens.NOT_FOUND:
        account = None
    standing = (account.status, account.role) if account else ("deleted", "member")
    _accounts[user_id] = (clock.epoch_seconds(), *standing)
    return standing


def _account_cached(cached: tuple[int, str, str] | None, token_issued_at: float) -> bool:
    return bool(cached and clock.is_fresh(cached[0], ACCOUNT_CACHE_SECONDS) and token_issued_at < cached[0])


def _session_cached(user_id: str, sid: str) -> bool:
    cached = _sessions.get((user_id, sid))
    return bool(cached and (not cached[1] or clock.is_fresh(cached[0], SESSION_CACHE_SECONDS)))


def _session_live(user_id: str, sid: str, family: Any = None) -> bool:
    if family is None and _session_cached(user_id, sid):
        return _sessions[(user_id, sid)][1]
    live = tokens.session_is_live(user_id, sid, family)
    if len(_sessions) > 10_000:  # a warm authorizer sees many logins; keep memory bounded
        _sessions.clear()
    _sessions[(user_id, sid)] = (clock.epoch_seconds(), live)
    return live


def _read_both_if_unknown(user_id: str, sid: str, token_issued_at: float) -> tuple[Any, Any]:
    """A caller this container knows nothing about yet (a crowd's first requests): the account and
    the login in one BatchGetItem rather than two reads."""
    if _account_cached(_accounts.get(user_id), token_issued_at) or _session_cached(user_id, sid):
        return None, None
    account, family = get_many((Account, Account.key(user_id)), tokens.family_key(user_id, sid))
    return (
        account if account is not None else tokens.NOT_FOUND,
        family if family is not None else tokens.NOT_FOUND,
    )


def bearer_token(headers: dict[str, str]) -> str | None:
    value = (headers or {}).get("authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """The simple-response answer for one request (payload format 2.0)."""
    token = bearer_token(event.get("headers") or {})
    if token is None:
        return _anonymous("unauthorized", "Send an access token: Authorization: Bearer <token>.")
    try:
        claims = verify_access_token(token)
    except Rejection as rejection:
        return _anonymous(rejection.code, rejection.message)
    user_id, sid, issued_at = str(claims["sub"]), str(claims["sid"]), float(claims["iat"])
    account, family = _read_both_if_unknown(user_id, sid, issued_at)
    status, role = _account_standing(user_id, issued_at, account)
    if status == "disabled":
        return _anonymous("account_disabled", "This account has been disabled.")
    if status != "active":
        return _anonymous("unauthorized", "This account no longer exists.")
    if not _session_live(user_id, sid, family):
        return _anonymous("session_ended", "This login has ended (signed out); sign in again.")
    return {"isAuthorized": True, "context": {"user_id": claims["sub"], "role": role, "sid": claims["sid"]}}


def _anonymous(code: str, message: str) -> dict[str, Any]:
    return {"isAuthorized": True, "context": {"auth_error": code, "auth_message": message}}
