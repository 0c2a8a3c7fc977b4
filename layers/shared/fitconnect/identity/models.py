"""The identity context's items, all in the identity table (`IDENTITY_TABLE`).

| item | pk | sk |
|---|---|---|
| account | `USER#<user_id>` | `ACCOUNT` (gsi1: `ACCOUNTS` / `<created_at>#<user_id>` for the admin list) |
| e-mail claim (uniqueness) | `EMAIL#<normalised e-mail>` | `EMAIL` |
| SSO link | `SSO#<issuer>#<subject>` | `SSO` |
| refresh token family (one login) | `USER#<user_id>` | `FAMILY#<family_id>` |
| refresh token (hash of the secret) | `REFRESH#<sha256>` | `REFRESH` (gsi1: `TOKENS#<user_id>`) |
| failed-login window | `LOGINFAIL#<normalised e-mail>` | `WINDOW` |
| password reset code | `USER#<user_id>` | `RESET` |
| reset requests window | `RESETREQ#<normalised e-mail>` | `WINDOW` |
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from fitconnect.platform.errors import NotFound
from fitconnect.platform.storage import ContextItem, get_item, gsi1_index, table_meta

TABLE_ENV = "IDENTITY_TABLE"


class IdentityItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class Account(IdentityItem):
    """Credentials and standing of one user; the profile lives in the members context."""

    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute(default="member")
    status = UnicodeAttribute(default="active")  # active | disabled | deleted
    password_hash = UnicodeAttribute(null=True)  # None for SSO-only accounts
    mfa_enabled = BooleanAttribute(default=False)
    mfa_secret = UnicodeAttribute(null=True)
    mfa_pending_secret = UnicodeAttribute(null=True)
    mfa_last_step = NumberAttribute(null=True)  # last TOTP time step used: no code is accepted twice
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"USER#{user_id}", "ACCOUNT"

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class EmailClaim(IdentityItem):
    """Holds an e-mail address for one user: a conditional put makes addresses unique."""

    user_id = UnicodeAttribute()

    @staticmethod
    def key(normalised_email: str) -> tuple[str, str]:
        return f"EMAIL#{normalised_email}", "EMAIL"


class SsoLink(IdentityItem):
    """An external identity (issuer + subject) linked to a user (gsi1: `USER#<id>` finds them)."""

    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute()
    provider = UnicodeAttribute()

    @staticmethod
    def key(issuer: str, subject: str) -> tuple[str, str]:
        return f"SSO#{issuer}#{subject}", "SSO"


class TokenFamily(IdentityItem):
    """One login: every refresh token rotated out of it belongs to the family."""

    family_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(user_id: str, family_id: str) -> tuple[str, str]:
        return f"USER#{user_id}", f"FAMILY#{family_id}"


class RefreshToken(IdentityItem):
    """A refresh token, stored by the hash of its secret; `spent` once rotated."""

    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    spent = BooleanAttribute(default=False)

    @staticmethod
    def key(token_hash: str) -> tuple[str, str]:
        return f"REFRESH#{token_hash}", "REFRESH"


class AttemptWindow(IdentityItem):
    """A fixed-window counter (failed logins, reset requests); `expires_at` closes the window."""

    count = NumberAttribute(default=0)


class ResetCode(IdentityItem):
    """The one live password-reset code of a user (hashed), with its failed attempts."""

    code_hash = UnicodeAttribute()
    attempts = NumberAttribute(default=0)

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"USER#{user_id}", "RESET"


def account_of(user_id: str) -> Account:
    """The account, unless it does not exist or was deleted (404)."""
    account = get_item(Account, Account.key(user_id))
    if account is None or account.status == "deleted":
        raise NotFound("No such user.", code="user_not_found")
    return account
