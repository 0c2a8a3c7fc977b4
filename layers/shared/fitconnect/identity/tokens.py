"""Access tokens (RS256 JWTs, 15 minutes) and refresh tokens (opaque, rotated, in families).

A refresh token is `<random secret>`, stored only as its SHA-256. Each login starts a family;
every refresh spends the presented token and issues the next one in the same family. Presenting
a spent token means it was copied: the whole family is revoked, thief and victim alike log in again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError

from fitconnect.identity.models import Account, RefreshToken, TokenFamily
from fitconnect.platform import clock, ids
from fitconnect.platform.errors import Unauthorized
from fitconnect.platform.settings import env
from fitconnect.platform.storage import (
    cancelled_because,
    conditional_update,
    get_item,
    is_expired,
    transact_write,
    ttl_in,
)

ACCESS_TOKEN_SECONDS = 15 * 60
REFRESH_TOKEN_SECONDS = 30 * 24 * 3600


def issuer() -> str:
    return env("TOKEN_ISSUER")


def audience() -> str:
    return env("TOKEN_AUDIENCE")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def body(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
        }


def issue_access_token(account: Account, family_id: str) -> str:
    """An access token whose `sid` names its login (token family): revoking the family (logout,
    reset, disable, erasure, reuse of a spent refresh token) ends the access token too, within the
    authorizer's cache period, not only at its expiry."""
    import jwt  # cold start: PyJWT and cryptography only where a token is signed

    from fitconnect.identity.jwt_checks import ALGORITHM  # cold start: as above

    # Lazy for cold start: the authorizer imports this module; only a login signs (and needs keys).
    from fitconnect.identity.keys import signing_keys

    key = signing_keys()[0]
    issued_at = clock.epoch_seconds()
    claims = {
        "iss": issuer(),
        "aud": audience(),
        "sub": account.user_id,
        "role": account.role,
        "iat": issued_at,
        "exp": issued_at + ACCESS_TOKEN_SECONDS,
        "jti": ids.new_id(),
        "sid": family_id,
    }
    return jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_refresh_token(user_id: str, family_id: str) -> tuple[str, RefreshToken]:
    secret = secrets.token_urlsafe(32)
    pk, sk = RefreshToken.key(_hash(secret))
    item = RefreshToken(
        pk,
        sk,
        user_id=user_id,
        family_id=family_id,
        gsi1pk=f"TOKENS#{user_id}",
        gsi1sk=family_id,
        expires_at=ttl_in(REFRESH_TOKEN_SECONDS),
    )
    return secret, item


def start_session(account: Account) -> TokenPair:
    """A new login: a new token family and its first refresh token, written together."""
    family_id = ids.new_id()
    family = TokenFamily(
        *TokenFamily.key(account.user_id, family_id),
        family_id=family_id,
        user_id=account.user_id,
        created_at=clock.now_iso(),
        expires_at=ttl_in(REFRESH_TOKEN_SECONDS),
    )
    secret, token = _new_refresh_token(account.user_id, family_id)
    with transact_write() as transaction:
        transaction.save(family)
        transaction.save(token)
    return TokenPair(issue_access_token(account, family_id), secret)


def _invalid_refresh() -> Unauthorized:
    return Unauthorized("The refresh token is invalid, expired or revoked.", code="invalid_refresh_token")


def refresh(presented: str) -> TokenPair:
    """Spend `presented` and return the next pair; reuse of a spent token revokes its family."""
    token = get_item(RefreshToken, RefreshToken.key(_hash(presented)), consistent=True)
    if token is None or is_expired(token.expires_at):
        raise _invalid_refresh()
    if token.spent:
        revoke_family(token.user_id, token.family_id, reason="refresh_token_reused")
        raise Unauthorized(
            "This refresh token was already used; every session of this login has been signed out.",
            code="refresh_token_reused",
        )
    account = get_item(Account, Account.key(token.user_id))
    if account is None or not account.is_active:
        raise _invalid_refresh()
    family_key = TokenFamily.key(token.user_id, token.family_id)
    secret, next_token = _new_refresh_token(token.user_id, token.family_id)
    try:
        with transact_write() as transaction:
            transaction.update(
                token,
                actions=[RefreshToken.spent.set(True)],
                condition=RefreshToken.spent == False,  # noqa: E712
            )
            transaction.condition_check(
                TokenFamily,
                family_key[0],
                family_key[1],
                condition=TokenFamily.revoked == False,  # noqa: E712
            )
            transaction.save(next_token)
    except TransactWriteError as error:
        # Spent by a concurrent refresh (a copy of the token is in use) or the family is revoked.
        # A conflicting transaction (DynamoDB's TransactionConflict) is the same race.
        if cancelled_because(error) & {"ConditionalCheckFailed", "TransactionConflict"}:
            revoke_family(token.user_id, token.family_id, reason="refresh_token_reused")
            raise _invalid_refresh() from None
        raise
    return TokenPair(issue_access_token(account, token.family_id), secret)


NOT_FOUND = object()  # an item read already (in a batch), and there is none


def family_key(user_id: str, family_id: str) -> tuple[type[TokenFamily], tuple[str, str]]:
    """The login's model and key, for a read batched with others (`storage.get_many`)."""
    return TokenFamily, TokenFamily.key(user_id, family_id)


def session_is_live(user_id: str, family_id: str, family: Any = None) -> bool:
    """Whether the login `family_id` of `user_id` still stands (not revoked, not expired); `family`
    when it was read already (`NOT_FOUND`: read, and missing)."""
    if family is None:
        family = get_item(TokenFamily, TokenFamily.key(user_id, family_id))
    if family is None or family is NOT_FOUND:
        return False
    return not family.revoked and not is_expired(family.expires_at)


def revoke_family(user_id: str, family_id: str, *, reason: str) -> None:
    family = TokenFamily(*TokenFamily.key(user_id, family_id))
    revoke = [TokenFamily.revoked.set(True), TokenFamily.revoked_reason.set(reason)]
    conditional_update(family, revoke, TokenFamily.pk.exists())  # a missing family has nothing to revoke


def revoke_by_token(user_id: str, presented: str) -> None:
    """Logout: revoke the family of `presented` if it belongs to `user_id` (silently otherwise)."""
    token = get_item(RefreshToken, RefreshToken.key(_hash(presented)))
    if token is not None and token.user_id == user_id:
        revoke_family(user_id, token.family_id, reason="logout")


def forget_all(user_id: str) -> None:
    """An erased account: every login and refresh token is deleted, not only revoked (a revoked
    family stops its access tokens as a missing one does). Repeatable."""
    for token in RefreshToken.gsi1.query(f"TOKENS#{user_id}"):
        token.delete()
    for family in TokenFamily.query(Account.key(user_id)[0], TokenFamily.sk.startswith("FAMILY#")):
        family.delete()


def revoke_all(user_id: str, *, reason: str) -> int:
    """Sign a user out everywhere (password reset, disable, erase); returns families revoked."""
    revoked = 0
    pk = Account.key(user_id)[0]
    for family in TokenFamily.query(
        pk,
        TokenFamily.sk.startswith("FAMILY#"),
        filter_condition=TokenFamily.revoked == False,  # noqa: E712
    ):
        revoke_family(user_id, family.family_id, reason=reason)
        revoked += 1
    return revoked
