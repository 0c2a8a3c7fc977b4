"""Trainers: a member applies, an admin approves (the user's role becomes `trainer`), anyone finds them.

Items in the scheduling table (`SCHEDULING_TABLE`):

| item | pk | sk | gsi1 |
|---|---|---|---|
| trainer profile | `TRAINER#<trainer_id>` | `PROFILE` | `TRAINERS#<status>` / `<name lower>#<trainer_id>` |

The trainer id is the user id: one trainer profile per user. The display name is copied from the
member's profile at application (search needs it here). Rating aggregates (`rating_sum`,
`rating_count`) are kept with atomic counters by reviews.
"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import ConfigDict, Field, StringConstraints
from pynamodb.exceptions import TransactWriteError

from fitconnect.identity.public import Account
from fitconnect.members import public as members
from fitconnect.platform import clock
from fitconnect.platform.contract import Currency, PlainText, RequestBody, SingleLine, View
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.errors import Conflict, NotFound
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import (
    conditional_save,
    get_item,
    transact_write,
)
from fitconnect.scheduling.models import Trainer

STATUSES = ("pending", "approved")
# GET /trainers' search: bounded, since each word becomes part of a DynamoDB filter (whose size is limited).
SearchText = Annotated[
    Annotated[str, StringConstraints(max_length=100), SingleLine] | None,
    Query(description="Words in the name, bio or specialties."),
]
SpecialtyFilter = Annotated[
    Annotated[str, StringConstraints(max_length=40), SingleLine] | None, Query(description="One specialty.")
]
Specialty = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=40)
]


class TrainerApplication(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "bio": "Strength coach for ten years, kettlebells and mobility for every level.",
                    "specialties": ["strength", "mobility"],
                    "hourly_rate_cents": 6000,
                    "currency": "eur",
                }
            ]
        }
    )
    bio: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=2000), PlainText]
    specialties: Annotated[list[Specialty], Field(min_length=1, max_length=10)]
    hourly_rate_cents: Annotated[int, Field(ge=0, le=1_000_000)]
    currency: Currency


class TrainerApplied(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "TrainerApplied"
    trainer_id: str


class TrainerApproved(DomainEvent):
    source = "fitconnect.scheduling"
    detail_type = "TrainerApproved"
    trainer_id: str
    approved_by: str


def _listing_keys(status: str, name: str, trainer_id: str) -> tuple[str, str]:
    return f"TRAINERS#{status}", f"{name.lower()}#{trainer_id}"


def apply(user_id: str, application: TrainerApplication) -> Trainer:
    name = members.profile_of(user_id).name
    specialties = sorted(set(application.specialties))
    gsi1pk, gsi1sk = _listing_keys("pending", name, user_id)
    trainer = Trainer(
        *Trainer.key(user_id),
        trainer_id=user_id,
        name=name,
        bio=application.bio,
        specialties=specialties,
        hourly_rate_cents=application.hourly_rate_cents,
        currency=application.currency,
        search_text=" ".join([name, application.bio, *specialties]).lower(),
        applied_at=clock.now_iso(),
        gsi1pk=gsi1pk,
        gsi1sk=gsi1sk,
    )
    if not conditional_save(trainer, Trainer.pk.does_not_exist()):
        raise Conflict("You have already applied as a trainer.", code="already_applied")

    publish([TrainerApplied(trainer_id=user_id)])
    return trainer


def trainer_of(trainer_id: str) -> Trainer:
    trainer = get_item(Trainer, Trainer.key(trainer_id))
    if trainer is None:
        raise NotFound("No such trainer.", code="trainer_not_found")
    return trainer


def anonymise(trainer_id: str) -> bool:
    """The erased user's trainer profile: out of every listing and search, no name, bio or
    specialties left (reviews stay, attributed to no one). Returns whether there was a profile."""
    trainer = get_item(Trainer, Trainer.key(trainer_id))
    if trainer is None:
        return False
    trainer.update(
        actions=[
            Trainer.status.set("retired"),
            Trainer.name.set("Former trainer"),
            Trainer.bio.set(""),
            Trainer.specialties.set([]),
            Trainer.search_text.set(""),
            Trainer.gsi1pk.set("TRAINERS#retired"),
            Trainer.gsi1sk.set(trainer_id),
        ]
    )
    return True


def approve(trainer_id: str, admin_id: str) -> Trainer:
    """Approve the application and make the user a trainer, in one transaction."""
    trainer = trainer_of(trainer_id)
    if trainer.status == "approved":
        raise Conflict("This trainer is already approved.", code="already_approved")
    gsi1pk, gsi1sk = _listing_keys("approved", trainer.name, trainer_id)
    now = clock.now_iso()
    account_pk, account_sk = Account.key(trainer_id)
    try:
        with transact_write() as transaction:
            transaction.update(
                trainer,
                actions=[
                    Trainer.status.set("approved"),
                    Trainer.approved_at.set(now),
                    Trainer.approved_by.set(admin_id),
                    Trainer.gsi1pk.set(gsi1pk),
                    Trainer.gsi1sk.set(gsi1sk),
                ],
                condition=Trainer.status == "pending",
            )
            # The identity context's role, raised in the same step; an admin keeps their role.
            transaction.update(
                Account(account_pk, account_sk),
                actions=[Account.role.set("trainer"), Account.updated_at.set(now)],
                condition=(Account.status == "active") & (Account.role == "member"),
            )
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        raise Conflict(
            "The application is no longer pending, or the account is not an active member.",
            code="cannot_approve",
        ) from None

    publish([TrainerApproved(trainer_id=trainer_id, approved_by=admin_id)])
    trainer.refresh()
    return trainer


class RatingSummary(View):
    average: float | None
    count: int


class TrainerView(View):
    """A trainer's public profile as the API shows it (`view`)."""

    trainer_id: str
    name: str
    bio: str
    specialties: list[str]
    hourly_rate_cents: int
    currency: str
    status: str = Field(description="pending | approved")
    rating: RatingSummary
    applied_at: str
    approved_at: str | None


def rating_of(trainer: Trainer) -> dict[str, Any]:
    """The trainer's average review (two decimals; None before the first) and how many there are."""
    count = int(trainer.rating_count or 0)
    return {"average": round(float(trainer.rating_sum) / count, 2) if count else None, "count": count}


def view(trainer: Trainer) -> dict[str, Any]:
    return {
        "trainer_id": trainer.trainer_id,
        "name": trainer.name,
        "bio": trainer.bio,
        "specialties": list(trainer.specialties),
        "hourly_rate_cents": int(trainer.hourly_rate_cents),
        "currency": trainer.currency,
        "status": trainer.status,
        "rating": rating_of(trainer),
        "applied_at": trainer.applied_at,
        "approved_at": trainer.approved_at,
    }


def search(
    status: str,
    *,
    specialty: str | None,
    text: str | None,
    limit: int,
    start_key: dict[str, Any] | None,
) -> tuple[list[Trainer], dict[str, Any] | None]:
    """Trainers of one status by name; `specialty` and `text` narrow it (pages may come up short)."""
    condition = None
    if specialty:
        condition = Trainer.specialties.contains(specialty.strip().lower())
    if text:
        for word in text.lower().split():
            match = Trainer.search_text.contains(word)
            condition = match if condition is None else condition & match
    results = Trainer.gsi1.query(
        f"TRAINERS#{status}",
        filter_condition=condition,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start_key,
    )
    return list(results), results.last_evaluated_key


def listing(
    status: str,
    *,
    text: str | None = None,
    specialty: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    """One page of trainers of `status`, narrowed by search words and a specialty."""
    request = page_request(
        limit, cursor, bound_to={"gsi1pk": {"S": f"TRAINERS#{status}"}}
    )  # DynamoDB-typed key
    items, last_key = search(
        status, specialty=specialty, text=text, limit=request.limit, start_key=request.start_key
    )
    return page([view(item) for item in items], last_key)
