"""Strict JWT verification shared by our access tokens and the SSO providers' ID tokens.

RS256 only (`none` and HS* are refused before any key is looked at, so a public key can never be
used as an HMAC secret), a `kid` the issuer publishes, signature, issuer, audience, required
claims, and times checked against the domain clock (which tests and the local runtime move).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt

from fitconnect.platform import clock

ALGORITHM = "RS256"
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class Rejection(Exception):
    code: str
    message: str


def verify_jwt(
    token: str,
    *,
    key_for_kid: Callable[[str], Any | None],
    issuer: str,
    audience: str,
    required: list[str],
    what: str = "access token",
) -> dict[str, Any]:
    """The claims of a valid token; `Rejection` names what is wrong otherwise."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise Rejection("invalid_token", f"The {what} is malformed.") from None
    if header.get("alg") != ALGORITHM:
        raise Rejection("invalid_token", f"The {what} must be signed with RS256.")
    key = key_for_kid(str(header.get("kid") or ""))
    if key is None:
        raise Rejection("invalid_token", f"The {what} was signed with an unknown key.")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={"require": required, "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except jwt.InvalidTokenError as error:
        raise Rejection("invalid_token", f"The {what} is not valid: {error}.") from None
    _check_times(claims, what)
    return claims


def _check_times(claims: dict[str, Any], what: str) -> None:
    now = clock.epoch_seconds()
    try:
        expires, issued = float(claims["exp"]), float(claims["iat"])
    except (KeyError, TypeError, ValueError):
        raise Rejection("invalid_token", f"The {what}'s exp and iat must be numbers.") from None
    if expires <= now - LEEWAY_SECONDS:
        raise Rejection("token_expired", f"The {what} has expired.")
    if issued > now + LEEWAY_SECONDS:
        raise Rejection("invalid_token", f"The {what} was issued in the future.")
    if "nbf" in claims and float(claims["nbf"]) > now + LEEWAY_SECONDS:
        raise Rejection("invalid_token", f"The {what} is not valid yet.")
