"""Demo data for the local runtime, written into an empty store through the domain code itself.

Run by the local runtime after provisioning (template.yaml `Metadata.LocalRuntime.Seed`), with
every function's environment merged, so models find their tables as in a function. Safe to run
again: what exists is left alone. Local only — production never runs this.
"""

from __future__ import annotations

import importlib
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from fitconnect.coaching import activities, insights, plans
from fitconnect.coaching.activities import NewActivity
from fitconnect.coaching.plans import PlanRequest
from fitconnect.identity import accounts, passwords
from fitconnect.inventory import equipment
from fitconnect.inventory.equipment import NewEquipment
from fitconnect.members import public as members
from fitconnect.platform import clock
from fitconnect.platform.storage import get_item
from fitconnect.pricing import catalog, promos, purchases
from fitconnect.pricing.catalog import ProductRequest
from fitconnect.pricing.promos import PromoRequest
from fitconnect.pricing.purchases import PurchaseRequest
from fitconnect.scheduling import sessions, trainers
from fitconnect.scheduling.models import Trainer
from fitconnect.scheduling.sessions import NewSession
from fitconnect.scheduling.trainers import TrainerApplication

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
            new = accounts.new_account(
                email, name, password_hash=password_hash, role=role, companion=members.new_profile
            )
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


def demo_week(start: datetime) -> list[NewSession]:
    """Six classes over the next week: in person and live, free and paid."""
    day = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    plan = [
        (0, 18, "Strength Circuit", "in_person", 1500),
        (1, 7, "Morning Mobility (live)", "live", 0),
        (2, 18, "Strength Circuit", "in_person", 1500),
        (3, 7, "Morning Mobility (live)", "live", 0),
        (4, 18, "HIIT Express", "in_person", 1000),
        (5, 10, "Saturday Community Run", "in_person", 0),
    ]
    return [
        NewSession(
            title=title,
            starts_at=day + timedelta(days=offset, hours=hour),
            duration_min=45,
            capacity=40 if kind == "live" else 12,
            price_cents=price,
            currency="usd",
            kind=kind,
            location=None if kind == "live" else "FitConnect Studio, Room 1",
        )
        for offset, hour, title, kind, price in plan
    ]


def seed_sessions(trainer_id: str) -> int:
    upcoming = sessions.listing(sessions.ListingFilter(trainer_id=trainer_id), 1, None)["items"]
    if upcoming:
        return 0
    week = demo_week(clock.now())
    for request in week:
        sessions.publish_sessions(trainer_id, False, request)
    return len(week)


DEMO_EQUIPMENT = [
    NewEquipment(name="Treadmill 1", kind="treadmill", location="Cardio zone", service_interval_hours=500),
    NewEquipment(name="Rowing machine 2", kind="rower", location="Cardio zone", service_interval_hours=400),
    NewEquipment(name="Spin bike 3", kind="bike", location="Studio 2", service_interval_hours=300),
]


def seed_equipment() -> list[str]:
    """Three machines (the simulator reports for them); returns their ids."""
    existing = {item.name: item.equipment_id for item in equipment.listing(100, None)[0]}
    return [existing.get(item.name) or equipment.register(item).equipment_id for item in DEMO_EQUIPMENT]


TRAINING_WEEKS = 6
DEMO_PLAN = PlanRequest(
    goal="strength",
    days_per_week=3,
    minutes_per_session=60,
    experience="intermediate",
    equipment=["barbell", "dumbbell", "bench", "cable", "pull_up_bar"],
)


def demo_training(today: datetime) -> list[NewActivity]:
    """Six weeks of a member training four times a week, and this week so far: upper and lower
    strength days whose weights creep up, a tempo run and a longer weekend ride or run; the last
    week a little harder."""
    monday = (today - timedelta(days=today.weekday(), weeks=TRAINING_WEEKS)).replace(
        hour=7, minute=0, second=0, microsecond=0
    )
    days = []
    for week in range(TRAINING_WEEKS + 1):
        start = monday + timedelta(weeks=week)
        squat, bench = 80 + 2.5 * week, 60 + 1.25 * week
        days += [
            _strength(
                start,
                [
                    ("barbell-bench-press", 5, bench),
                    ("barbell-bent-over-row", 8, bench - 5),
                    ("standing-dumbbell-shoulder-press", 10, 16),
                ],
            ),
            NewActivity(
                type="run",
                started_at=start + timedelta(days=2, hours=11),
                duration_s=1800 + 60 * week,
                distance_m=5000 + 200 * week,
                avg_heart_rate=152,
                max_heart_rate=188,
                rpe=6,
            ),
            _strength(
                start + timedelta(days=4),
                [
                    ("barbell-back-squat", 5, squat),
                    ("romanian-deadlift-barbell", 8, squat - 10),
                    ("walking-lunge-dumbbell", 10, 14),
                ],
            ),
            NewActivity(
                type="ride" if week % 2 else "run",
                started_at=start + timedelta(days=5, hours=2),
                duration_s=3600 + 300 * week,
                distance_m=(25_000 if week % 2 else 9_000) + 500 * week,
                rpe=5 if week < TRAINING_WEEKS else 7,
            ),
        ]
    return [activity for activity in days if activity.started_at < today]


def _strength(start: datetime, lifts: list[tuple[str, int, float]]) -> NewActivity:
    sets = [
        {"exercise_id": lift, "reps": reps, "weight_kg": kg} for lift, reps, kg in lifts for _ in range(3)
    ]
    return NewActivity.model_validate({"type": "strength", "started_at": start, "duration_s": 3300, "rpe": 7,
                                       "sets": sets})  # fmt: skip


def seed_training(member_id: str) -> int:
    """The demo member's history (through the domain code; their insights entries written at once,
    as the events consumer would) and a plan from the personal trainer."""
    if next(iter(activities.of_member(member_id)), None) is not None:
        return 0
    history = demo_training(clock.now())
    for activity in history:
        logged = activities.log(member_id, activity)
        insights.track(logged["activity_id"])
    plans.generate(member_id, DEMO_PLAN, set())
    return len(history)


DEMO_PRODUCTS = [
    ProductRequest(
        kind="membership", name="Unlimited monthly", price_cents=9900, currency="usd", interval="month"
    ),
    ProductRequest(
        kind="class_pack", name="10-class pack", price_cents=15000, currency="usd", credits=10, valid_days=90
    ),
]
WELCOME_CODE = "DEMO-WELCOME"  # 100 % off, once: how the demo member got their pack


def seed_pricing(member_id: str) -> bool:
    """A membership and a 10-class pack for sale (at localstripe too), and the demo member holding
    the pack, bought through the purchase path with a one-use 100 % code (nothing to pay)."""
    if catalog.for_sale():
        return False
    products = [catalog.create(request) for request in DEMO_PRODUCTS]
    ten_pack = products[1]
    promos.create(
        PromoRequest(code=WELCOME_CODE, percent_off=100, product_ids=[ten_pack.product_id], max_redemptions=1)
    )
    purchases.buy(member_id, PurchaseRequest(product_id=ten_pack.product_id, promo_code=WELCOME_CODE))
    return True


def main() -> None:
    # Everything that needs no store happens first, while the runtime provisions it.
    password_hash = passwords.hash_password(DEMO_PASSWORD)
    importlib.import_module("fitconnect.platform.observability")  # what publishing events imports
    importlib.import_module("stripe")  # what the demo products' registration at localstripe imports
    if os.environ.get("FITCONNECT_SEED_WAIT"):
        sys.stdin.readline()  # the runtime says when the store is provisioned
    user_ids = seed_users(password_hash)
    seed_trainer(user_ids)
    seed_sessions(user_ids["trainer@fitconnect.local"])
    # Pricing waits mostly on localstripe (another process): it runs beside the training history.
    with ThreadPoolExecutor(max_workers=1) as beside:
        pricing = beside.submit(seed_pricing, user_ids["member@fitconnect.local"])
        trained = seed_training(user_ids["member@fitconnect.local"])
        priced = pricing.result()
    machines = seed_equipment()
    print("Demo logins (local only), password " + DEMO_PASSWORD + ":")
    for email, _name, _role in DEMO_USERS:
        print(f"  {email}")
    print("  trainer@fitconnect.local is an approved trainer with a week of sessions (GET /sessions)")
    if trained:
        print(
            f"  member@fitconnect.local has {trained} workouts over six weeks and a plan "
            "(GET /me/insights, GET /me/plan)"
        )
    if priced:
        print("  member@fitconnect.local holds a 10-class pack (GET /me/entitlements); GET /products")
    print(f"Demo equipment (GET /equipment): {len(machines)} machines, offline until they report")


if __name__ == "__main__":
    main()
