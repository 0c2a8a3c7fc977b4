"""What other contexts may use of identity: accounts read by id, the account model for the one
other write (a trainer's approval raises the role in the same transaction), and identity's part of
a member's export and erasure. Everything else in this package is identity's own
(tests/unit/test_structure.py holds the line)."""

from __future__ import annotations

from typing import Any

from fitconnect.identity.models import Account, account_of

__all__ = ["Account", "account_of", "erase", "export", "mark_deleted"]


# Identity's part of an export and an erasure, imported on use: personal_data brings the token and
# password machinery (PyJWT, cryptography, argon2), which the many functions that only read an
# account (or a trainer's time zone) should not load at cold start.
def export(user_id: str) -> dict[str, Any]:
    from fitconnect.identity import personal_data  # cold start: see above

    return personal_data.export(user_id)


def mark_deleted(user_id: str) -> None:
    from fitconnect.identity import personal_data  # cold start: see above

    personal_data.mark_deleted(user_id)


def erase(user_id: str) -> None:
    from fitconnect.identity import personal_data  # cold start: see above

    personal_data.erase(user_id)
