"""Sign-in with an OIDC ID token from a configured provider (Google, Firebase, any OIDC issuer).

Providers come from `SSO_PROVIDERS` (template parameter `SsoProviders`), JSON of
`{name: {issuer, audience, jwks_uri}}`. A Firebase project is `issuer
https://securetoken.google.com/<project-id>`, `audience <project-id>`, `jwks_uri
https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com`.

The token is checked as strictly as our own (`jwt_checks`), against the provider's JWKS
(PyJWKClient, cached). The user is found by the provider's subject, else linked by a *verified*
e-mail, else created; an unverified e-mail is refused, since linking on it would hand an
existing account to whoever controls the provider-side profile.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from fitconnect.identity import accounts, tokens
from fitconnect.identity.models import Account, SsoLink
from fitconnect.platform.errors import Forbidden, NotFound, Unauthorized, Unprocessable
from fitconnect.platform.storage import conditional_save, get_item

JWKS_CACHE_SECONDS = 300
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]


@cache
def providers() -> dict[str, dict[str, str]]:
    raw = os.environ.get("SSO_PROVIDERS") or "{}"
    configured = json.loads(raw)
    return {
        name: {"issuer": config["issuer"], "audience": config["audience"], "jwks_uri": config["jwks_uri"]}
        for name, config in configured.items()
    }


@cache
def _jwks_client(jwks_uri: str) -> Any:
    import jwt  # cold start: PyJWT and cryptography when a token is checked, not at import (~60 ms)

    return jwt.PyJWKClient(jwks_uri, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=5)


def _key_lookup(jwks_uri: str) -> Any:
    import jwt  # cold start: as above

    def key_for_kid(kid: str) -> Any | None:
        try:
            return _jwks_client(jwks_uri).get_signing_key(kid).key
        except jwt.PyJWKClientError:
            return None

    return key_for_kid


def verify_id_token(provider: str, id_token: str) -> dict[str, Any]:
    config = providers().get(provider)
    if config is None:
        raise NotFound(f"No sign-in provider named {provider!r} is configured.", code="unknown_provider")
    from fitconnect.identity.jwt_checks import Rejection, verify_jwt  # cold start: PyJWT, as above

    try:
        claims = verify_jwt(
            id_token,
            key_for_kid=_key_lookup(config["jwks_uri"]),
            issuer=config["issuer"],
            audience=config["audience"],
            required=REQUIRED_CLAIMS,
            what="ID token",
        )
    except Rejection as rejection:
        raise Unauthorized(rejection.message, code=rejection.code) from None
    return claims


def _verified_email(claims: dict[str, Any]) -> str:
    email = accounts.normalise_email(str(claims.get("email") or ""))
    verified = claims.get("email_verified") in (True, "true")
    if email is None or not verified:
        raise Unprocessable(
            "The provider did not vouch for a verified e-mail address.", code="email_not_verified"
        )
    return email


def sign_in(
    provider: str, id_token: str, totp_code: str | None, client: str, companion: accounts.Companion
) -> tokens.TokenPair:
    claims = verify_id_token(provider, id_token)
    account = _linked_account(provider, claims, companion)
    if account.status == "disabled":
        raise Forbidden("This account has been disabled.", code="account_disabled")
    window_key = accounts.login_window(account.email, client)
    accounts.ensure_not_locked(window_key)
    accounts.require_second_factor(account, totp_code, window_key)
    return tokens.start_session(account)


def _linked_account(provider: str, claims: dict[str, Any], companion: accounts.Companion) -> Account:
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    link = get_item(SsoLink, SsoLink.key(issuer, subject))
    if link is not None:
        account = get_item(Account, Account.key(link.user_id))
        if account is not None and account.status != "deleted":
            return account
    email = _verified_email(claims)
    existing = accounts.account_by_email(email)
    if existing is not None:
        _save_link(_link(issuer, subject, provider, existing.user_id))
        return existing
    name = str(claims.get("name") or email.split("@")[0])[:100]
    new = accounts.new_account(email, name, password_hash=None, companion=companion)
    accounts.save_new_account(new, _link(issuer, subject, provider, new.account.user_id))
    accounts.publish_registered(new.account, via=f"sso:{provider}")
    return new.account


def _link(issuer: str, subject: str, provider: str, user_id: str) -> SsoLink:
    pk, sk = SsoLink.key(issuer, subject)
    return SsoLink(pk, sk, user_id=user_id, provider=provider, gsi1pk=f"USER#{user_id}", gsi1sk=pk)


def _save_link(link: SsoLink) -> None:
    if not conditional_save(link, SsoLink.pk.does_not_exist() | (SsoLink.user_id == link.user_id)):
        raise Unauthorized("This sign-in is linked to another account.", code="sso_link_conflict")
