"""Demo data for the local runtime, written into an empty store through the domain code itself.

Run by the local runtime after provisioning (template.yaml `Metadata.LocalRuntime.Seed`), with
every function's environment merged, so models find their tables as in a function. Safe to run
again: what exists is left alone. Local only — production never runs this.
"""

from __future__ import annotations

import os
import sys

from fitconnect.identity import accounts, passwords

DEMO_PASSWORD = "fitconnect-demo"  # noqa: S105 - a documented local-only demo login
DEMO_USERS = [
    ("admin@fitconnect.local", "Ada Admin", "admin"),
    ("trainer@fitconnect.local", "Theo Trainer", "trainer"),
    ("member@fitconnect.local", "Mia Member", "member"),
]


def seed_users() -> list[str]:
    lines = []
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    for email, name, role in DEMO_USERS:
        if accounts.account_by_email(email) is None:
            accounts.save_new_account(
                accounts.new_account(email, name, password_hash=password_hash, role=role)
            )
        lines.append(f"  {role:<8} {email} / {DEMO_PASSWORD}")
    return lines


def main() -> None:
    if os.environ.get("FITCONNECT_SEED_WAIT"):
        sys.stdin.readline()  # the runtime says when the store is provisioned (imports are done by then)
    print("Demo logins (local only):")
    print("\n".join(seed_users()))


if __name__ == "__main__":
    main()
