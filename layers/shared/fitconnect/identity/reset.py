"""Password reset by a 6-digit code sent by e-mail (by the notifications sender).

- `forgot` always answers the same; a code is mailed only when the account exists, at most
  `REQUESTS_ALLOWED` per e-mail per window. A new code replaces the previous one.
- A code is valid 15 minutes, stored only as an HMAC keyed by the user, and single use (a
  conditional delete in the same transaction as the new password). `ATTEMPTS_ALLOWED` wrong
  guesses burn it: six digits are otherwise guessable.
- A reset signs the user out everywhere (every refresh token family is revoked).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

from pynamodb.exceptions import TransactWriteError

from fitconnect.identity import throttle
from fitconnect.identity.models import Account, ResetCode
from fitconnect.platform import aws, clock, ids
from fitconnect.platform.errors import Unprocessable
from fitconnect.platform.observability import logger
from fitconnect.platform.settings import env
from fitconnect.platform.storage import (
    conditional_delete,
    conditional_update,
    get_item,
    is_expired,
    transact_write,
    ttl_in,
)

CODE_SECONDS = 15 * 60
REQUESTS_ALLOWED = 3
REQUEST_WINDOW_S = 15 * 60
ATTEMPTS_ALLOWED = 5


def _code_hash(user_id: str, code: str) -> str:
    return hmac.new(user_id.encode(), code.encode(), hashlib.sha256).hexdigest()


def queue_request(email: str) -> None:
    """POST /auth/password/forgot: one message, whatever the e-mail; `forgot` runs off the request path."""

    queue_url = env("RESET_REQUESTS_QUEUE_URL")
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps({"email": email}))


# Delivers a reset code to a user: (notification id, user id, template, data). The caller (a
# handler) passes the notifications context's `request`, so identity knows no other context.
Deliver = Callable[[str, str, str, dict[str, str]], Any]


def forgot(email: str, deliver: Deliver) -> None:
    """A reset code for `email` if it has an active account (at most `REQUESTS_ALLOWED` per window),
    handed to `deliver` (the notifications queue: logged, urgent, e-mail only; the code is never stored)."""
    from fitconnect.identity import accounts  # cold start: PasswordForgot only queues (argon2, PyJWT)

    window_key = throttle.window_key("RESETREQ", email)
    if throttle.current(window_key).count >= REQUESTS_ALLOWED:
        logger.info("password reset requests throttled")
        return
    throttle.record(window_key, window_s=REQUEST_WINDOW_S)
    account = accounts.account_by_email(email)
    if account is None or account.status != "active":
        return
    code = f"{secrets.randbelow(10**6):06d}"
    ResetCode(
        *ResetCode.key(account.user_id),
        code_hash=_code_hash(account.user_id, code),
        attempts=0,
        expires_at=ttl_in(CODE_SECONDS),
    ).save()
    deliver(f"reset-{ids.new_id()}", account.user_id, "password_reset", {"code": code})


def _invalid_code() -> Unprocessable:
    return Unprocessable(
        "The reset code is wrong or has expired; ask for a new one.",
        code="invalid_reset_code",
        details=[{"field": "code", "message": "wrong, used or expired"}],
    )


def reset(email: str, code: str, new_password: str, client: str) -> None:
    from fitconnect.identity import accounts, passwords, tokens  # cold start: see forgot

    passwords.check_policy(new_password, field="new_password")
    account = accounts.account_by_email(email)
    stored = get_item(ResetCode, ResetCode.key(account.user_id), consistent=True) if account else None
    if account is None or stored is None or is_expired(stored.expires_at):
        raise _invalid_code()
    expected = stored.code_hash
    if not hmac.compare_digest(expected, _code_hash(account.user_id, code)):
        _count_wrong_guess(stored)
        raise _invalid_code()
    try:
        with transact_write() as transaction:
            transaction.delete(stored, condition=ResetCode.code_hash == expected)
            transaction.update(
                account,
                actions=[
                    Account.password_hash.set(passwords.hash_password(new_password)),
                    Account.updated_at.set(clock.now_iso()),
                ],
                condition=Account.status == "active",
            )
    except TransactWriteError:
        raise _invalid_code() from None  # used by a concurrent reset, or the account changed
    tokens.revoke_all(account.user_id, reason="password_reset")
    throttle.clear(accounts.login_window(email, client))


def _count_wrong_guess(stored: ResetCode) -> None:
    same_code = ResetCode.code_hash == stored.code_hash
    # A failed condition means a newer code replaced this one: nothing to count.
    if stored.attempts + 1 >= ATTEMPTS_ALLOWED:
        conditional_delete(stored, same_code)
    else:
        conditional_update(stored, [ResetCode.attempts.add(1)], same_code)
