"""The identity context's part of GDPR: what it holds about a user, and erasing it."""

from __future__ import annotations

from typing import Any

from fitconnect.identity import tokens
from fitconnect.identity.models import Account, EmailClaim, ResetCode, SsoLink
from fitconnect.platform import clock
from fitconnect.platform.storage import conditional_delete, get_item


def export(user_id: str) -> dict[str, Any]:
    account = get_item(Account, Account.key(user_id))
    if account is None:
        return {}
    links = SsoLink.gsi1.query(f"USER#{user_id}")
    return {
        "account": {
            "user_id": account.user_id,
            "email": account.email,
            "role": account.role,
            "status": account.status,
            "mfa_enabled": bool(account.mfa_enabled),
            "has_password": account.password_hash is not None,
            "created_at": account.created_at,
        },
        "sign_in_providers": [{"provider": link.provider} for link in links],
    }


def mark_deleted(user_id: str) -> None:
    """Refuse every sign-in and token from now on (the erasure itself runs asynchronously)."""
    account = get_item(Account, Account.key(user_id))
    if account is not None and account.status != "deleted":
        account.update(actions=[Account.status.set("deleted"), Account.updated_at.set(clock.now_iso())])
    tokens.revoke_all(user_id, reason="account_deleted")


def erase(user_id: str) -> None:
    """Remove personal data; keep an anonymous tombstone so the id stays known as deleted. Repeatable."""
    mark_deleted(user_id)
    account = get_item(Account, Account.key(user_id))
    if account is not None and account.email:
        # only our claim: the address may already belong to a new account
        conditional_delete(EmailClaim(*EmailClaim.key(account.email)), EmailClaim.user_id == user_id)
    for link in SsoLink.gsi1.query(f"USER#{user_id}"):
        link.delete()
    ResetCode(*ResetCode.key(user_id)).delete()
    tokens.forget_all(user_id)
    if account is not None:
        account.update(
            actions=[
                Account.email.set(""),
                Account.password_hash.remove(),
                Account.mfa_secret.remove(),
                Account.mfa_pending_secret.remove(),
                Account.mfa_enabled.set(False),
                Account.gsi1pk.remove(),
                Account.gsi1sk.remove(),
                Account.updated_at.set(clock.now_iso()),
            ]
        )
