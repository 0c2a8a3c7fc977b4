"""TOTP second factor (RFC 6238, pyotp): setup, enabling, and checking a code exactly once.

A code is accepted for the current 30-second step and one step either side (clock drift). The
step of the last accepted code is stored on the account and only a later step is accepted next,
by a conditional update: a code, once used, never works again, even from a concurrent request.
"""

from __future__ import annotations

import pyotp
from pydantic import Field

from fitconnect.identity.models import Account
from fitconnect.platform import clock
from fitconnect.platform.contract import View
from fitconnect.platform.errors import Conflict, Unprocessable
from fitconnect.platform.storage import conditional_update

ISSUER_NAME = "FitConnect"
STEP_SECONDS = 30
DRIFT_STEPS = 1


class MfaSetupView(View):
    secret: str = Field(description="The TOTP key (base32), for typing into an authenticator app.")
    otpauth_uri: str = Field(description="otpauth://totp/… for a QR code.")


class MfaVerifiedView(View):
    mfa_enabled: bool


def begin_setup(account: Account) -> dict[str, str]:
    if account.mfa_enabled:
        raise Conflict("MFA is already enabled on this account.", code="mfa_already_enabled")
    secret = pyotp.random_base32()
    account.update(actions=[Account.mfa_pending_secret.set(secret), Account.updated_at.set(clock.now_iso())])
    uri = pyotp.TOTP(secret).provisioning_uri(name=account.email, issuer_name=ISSUER_NAME)
    return {"secret": secret, "otpauth_uri": uri}


def matching_step(secret: str, code: str) -> int | None:
    """The time step `code` belongs to (now ± drift), or None."""
    code = code.strip()
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = clock.epoch_seconds() // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _spend_step(account: Account, step: int, *extra_actions: object) -> bool:
    return conditional_update(
        account,
        [Account.mfa_last_step.set(step), *extra_actions],
        Account.mfa_last_step.does_not_exist() | (Account.mfa_last_step < step),
    )


def enable(account: Account, code: str) -> None:
    if account.mfa_enabled:
        raise Conflict("MFA is already enabled on this account.", code="mfa_already_enabled")
    if not account.mfa_pending_secret:
        raise Conflict("Start with POST /auth/mfa/setup.", code="mfa_not_set_up")
    step = matching_step(account.mfa_pending_secret, code)
    enabled = step is not None and _spend_step(
        account,
        step,
        Account.mfa_enabled.set(True),
        Account.mfa_secret.set(account.mfa_pending_secret),
        Account.mfa_pending_secret.remove(),
        Account.updated_at.set(clock.now_iso()),
    )
    if not enabled:
        raise Unprocessable(
            "That code is not valid; use the current code from your authenticator app.",
            code="invalid_mfa_code",
            details=[{"field": "code", "message": "not the current TOTP code"}],
        )


def accept_code(account: Account, code: str | None) -> bool:
    """Whether `code` is a valid, never-used code for the account's enabled MFA (and spend it)."""
    if not code or not account.mfa_secret:
        return False
    step = matching_step(account.mfa_secret, code)
    return step is not None and _spend_step(account, step)
