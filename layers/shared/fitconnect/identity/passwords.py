"""Password hashing (argon2id) and the password policy.

Parameters are OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): a Lambda with 512 MB has
about a third of a vCPU, where RFC 9106's 64 MiB x 3 x 4 lanes costs about a second per login.
The parameters travel inside each hash, so raising them later rehashes users as they log in.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fitconnect.platform.errors import Unprocessable

MIN_LENGTH = 10
MAX_LENGTH = 256  # hashing is deliberately slow; an unbounded input would be a cheap DoS


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # argon2id


@cache
def _dummy_hash() -> str:
    # Verified against when an e-mail is unknown, so a login takes as long either way.
    return _hasher().hash("not-a-real-password-but-just-as-slow")


def check_policy(password: str, *, field: str = "password") -> None:
    if len(password) < MIN_LENGTH:
        raise Unprocessable(
            f"The password must have at least {MIN_LENGTH} characters.",
            code="weak_password",
            details=[{"field": field, "message": f"at least {MIN_LENGTH} characters"}],
        )
    if len(password) > MAX_LENGTH:
        raise Unprocessable(
            f"The password must have at most {MAX_LENGTH} characters.",
            code="weak_password",
            details=[{"field": field, "message": f"at most {MAX_LENGTH} characters"}],
        )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (unknown user, SSO-only) it still spends the time."""
    try:
        return _hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
