"""Demo data for the local runtime, written into an empty store through the domain code itself.

Run by the local runtime after provisioning (template.yaml `Metadata.LocalRuntime.Seed`), with
every function's environment merged, so models find their tables as in a function. Safe to run
again: what exists is left alone. Local only — production never runs this.
"""

from __future__ import annotations

import importlib
import os
import sys

from fitconnect.identity import accounts, passwords
from fitconnect.platform.storage import get_item
from fitconnect.scheduling import trainers
from fitconnect.scheduling.trainers import Trainer, TrainerApplication

DEMO_PASSWORD = "fitconnect-demo"  # noqa: S105 - a documented local-only demo login
DEMO_USERS = [
    ("admin@fitconnect.local", "Ada Admin", "admin"),
    ("trainer@fitconnect.local", "Theo Trainer", "member"),  # a trainer once approved, below
    ("member@fitconnect.local", "Mia Member", "member"),
]
DEMO_TRAINER = TrainerApplication(
    bio="Strength and conditioning coach; small-group classes and live online HIIT for all levels.",
    specialties=["strength", "hiit", "mobility"],
    hourly_rate_cents=6500,
    currency="usd",
)


def seed_users(password_hash: str) -> dict[str, str]:
    """The demo accounts by e-mail → user id."""
    user_ids = {}
    for email, name, role in DEMO_USERS:
        account = accounts.account_by_email(email)
        if account is None:
            new = accounts.new_account(email, name, password_hash=password_hash, role=role)
            accounts.save_new_account(new)
            account = new.account
        user_ids[email] = account.user_id
    return user_ids


def seed_trainer(user_ids: dict[str, str]) -> None:
    """The demo trainer applies and the demo admin approves, as they would over the API."""
    trainer_id = user_ids["trainer@fitconnect.local"]
    if get_item(Trainer, Trainer.key(trainer_id)) is None:
        trainers.apply(trainer_id, DEMO_TRAINER)
    if trainers.trainer_of(trainer_id).status == "pending":
        trainers.approve(trainer_id, user_ids["admin@fitconnect.local"])


def main() -> None:
    # Everything that needs no store happens first, while the runtime provisions it.
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    importlib.import_module("fitconnect.platform.observability")  # what publishing events imports
    if os.environ.get("FITCONNECT_SEED_WAIT"):
        sys.stdin.readline()  # the runtime says when the store is provisioned
    user_ids = seed_users(password_hash)
    seed_trainer(user_ids)
    print("Demo logins (local only), password " + DEMO_PASSWORD + ":")
    for email, _name, _role in DEMO_USERS:
        print(f"  {email}")
    print("  trainer@fitconnect.local is an approved trainer")


if __name__ == "__main__":
    main()
