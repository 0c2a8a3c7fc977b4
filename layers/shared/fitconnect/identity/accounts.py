"""Accounts: registration, password login (with MFA and brute-force limits), lookups, admin changes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field
from pynamodb.exceptions import TransactWriteError

from fitconnect.identity import mfa, passwords, throttle, tokens
from fitconnect.identity.models import Account, EmailClaim, account_of
from fitconnect.platform import clock, ids
from fitconnect.platform.auth import ROLE_RANK
from fitconnect.platform.contract import View
from fitconnect.platform.errors import Conflict, Forbidden, TooManyRequests, Unauthorized
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import get_item, transact_write

LOGIN_FAILURES_ALLOWED = 5
LOGIN_WINDOW_S = 15 * 60
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class UserRegistered(DomainEvent):
    source = "fitconnect.identity"
    detail_type = "UserRegistered"
    user_id: str
    role: str
    via: str  # password | sso:<provider>


class UserUpdated(DomainEvent):
    source = "fitconnect.identity"
    detail_type = "UserUpdated"
    user_id: str
    role: str
    status: str
    changed_by: str


def normalise_email(email: str) -> str | None:
    """Lower-cased, trimmed address, or None when it does not look like one."""
    email = email.strip().lower()
    return email if len(email) <= 254 and _EMAIL.match(email) else None


# An item another context writes with a new account, in the same transaction (members' profile):
# given the user id, the name and the creation time. The caller (a handler) passes it in, so
# identity knows no other context.
Companion = Callable[[str, str, str], Any]


@dataclass(frozen=True)
class NewAccount:
    account: Account
    claim: EmailClaim
    companions: list[Any]


def new_account(
    email: str, name: str, *, password_hash: str | None, companion: Companion, role: str = "member"
) -> NewAccount:
    user_id = ids.new_id()
    created_at = clock.now_iso()
    account = Account(
        *Account.key(user_id),
        user_id=user_id,
        email=email,
        role=role,
        password_hash=password_hash,
        created_at=created_at,
        gsi1pk="ACCOUNTS",
        gsi1sk=f"{created_at}#{user_id}",
    )
    claim = EmailClaim(*EmailClaim.key(email), user_id=user_id)
    return NewAccount(account, claim, [companion(user_id, name, created_at)])


def save_new_account(new: NewAccount, *extra_puts: Any) -> None:
    """Claim the e-mail and write the account and its companions in one transaction; 409 if taken."""
    try:
        with transact_write() as transaction:
            transaction.save(new.claim, condition=EmailClaim.pk.does_not_exist())
            transaction.save(new.account)
            for companion in new.companions:
                transaction.save(companion)
            for item in extra_puts:
                transaction.save(item, condition=type(item).pk.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict("An account with this e-mail already exists.", code="email_taken") from None
        raise


def register(email: str, password: str, name: str, companion: Companion) -> Account:
    passwords.check_policy(password)
    new = new_account(email, name, password_hash=passwords.hash_password(password), companion=companion)
    save_new_account(new)
    publish_registered(new.account, via="password")
    return new.account


def publish_registered(account: Account, *, via: str) -> None:

    publish([UserRegistered(user_id=account.user_id, role=account.role, via=via)])


def account_by_email(email: str) -> Account | None:
    claim = get_item(EmailClaim, EmailClaim.key(email))
    return get_item(Account, Account.key(claim.user_id)) if claim else None


def _invalid_credentials() -> Unauthorized:
    return Unauthorized("The e-mail or password is wrong.", code="invalid_credentials")


def login(email: str, password: str, totp_code: str | None, client: str) -> tokens.TokenPair:
    """Password login. Unknown e-mail and wrong password answer alike, in about the same time.
    Failures lock the e-mail for `client` only: a stranger cannot lock its owner out."""
    window_key = login_window(email, client)
    window = ensure_not_locked(window_key)
    account = account_by_email(email)
    password_ok = passwords.verify_password(account.password_hash if account else None, password)
    if account is None or not password_ok or account.status == "deleted":
        throttle.record(window_key, window_s=LOGIN_WINDOW_S)
        raise _invalid_credentials()
    require_second_factor(account, totp_code, window_key)
    if account.status == "disabled":
        raise Forbidden("This account has been disabled.", code="account_disabled")
    if window.count:
        throttle.clear(window_key)
    if passwords.needs_rehash(account.password_hash):
        account.update(actions=[Account.password_hash.set(passwords.hash_password(password))])
    return tokens.start_session(account)


def login_window(email: str, client: str) -> tuple[str, str]:
    return throttle.window_key("LOGINFAIL", f"{email}#{client}")


def ensure_not_locked(window_key: tuple[str, str]) -> throttle.Window:
    """429 once the e-mail has had `LOGIN_FAILURES_ALLOWED` failures in the current window."""
    window = throttle.current(window_key)
    if window.count >= LOGIN_FAILURES_ALLOWED:
        raise TooManyRequests(
            "Too many failed logins for this e-mail from here; try again later or reset the password.",
            retry_after_s=window.retry_after_s,
            code="too_many_attempts",
        )
    return window


def require_second_factor(account: Account, totp_code: str | None, window_key: tuple[str, str]) -> None:
    """With MFA on, a fresh valid code is needed; a wrong one counts as a failed attempt."""
    if not account.mfa_enabled:
        return
    if mfa.accept_code(account, totp_code):
        return
    if totp_code:
        throttle.record(window_key, window_s=LOGIN_WINDOW_S)
    raise Unauthorized(
        "This account has MFA: send the current code from your authenticator app as totp_code."
        if not totp_code
        else "The MFA code is wrong or was already used.",
        code="mfa_required",
    )


# -- admin
class AccountView(View):
    """An account as an admin sees it (GET/PATCH /admin/users)."""

    user_id: str
    email: str
    role: Literal["member", "trainer", "admin"]
    status: str = Field(description="active | disabled")
    disabled: bool
    mfa_enabled: bool
    created_at: str


def public_view(account: Account) -> dict[str, Any]:
    return {
        "user_id": account.user_id,
        "email": account.email,
        "role": account.role,
        "status": account.status,
        "disabled": account.status == "disabled",
        "mfa_enabled": bool(account.mfa_enabled),
        "created_at": account.created_at,
    }


def list_accounts(
    limit: int, start_key: dict[str, Any] | None, role: str | None = None
) -> tuple[list[Account], dict[str, Any] | None]:
    """Accounts newest first (the gsi1 `ACCOUNTS` partition), optionally of one role."""
    filters = Account.status != "deleted"
    if role:
        filters = filters & (Account.role == role)
    results = Account.gsi1.query(
        "ACCOUNTS",
        scan_index_forward=False,
        limit=limit,
        last_evaluated_key=start_key,
        filter_condition=filters,
        page_size=limit,
    )
    items = list(results)
    return items, results.last_evaluated_key


def admin_update(admin_id: str, user_id: str, *, role: str | None, disabled: bool | None) -> Account:
    account = account_of(user_id)
    if user_id == admin_id and (disabled or (role is not None and role != "admin")):
        raise Conflict("Admins cannot disable or demote themselves.", code="cannot_change_self")
    actions = [Account.updated_at.set(clock.now_iso())]
    if role is not None:
        if role not in ROLE_RANK:
            raise Conflict("Unknown role.", code="invalid_role")  # pragma: no cover - validated by the model
        actions.append(Account.role.set(role))
    if disabled is not None:
        actions.append(Account.status.set("disabled" if disabled else "active"))
    account.update(actions=actions, condition=Account.status != "deleted")
    if disabled:
        tokens.revoke_all(user_id, reason="disabled_by_admin")

    publish([UserUpdated(user_id=user_id, role=account.role, status=account.status, changed_by=admin_id)])
    return account
