"""Late cancels and no-shows of covered bookings, by the studio's policy.

The policy (pk `POLICY`, sk `CANCELLATION`): `late_cancel_fee_cents`, `no_show_fee_cents`,
`currency`, `free_late_cancels_per_month`. A booking paid by card is already penalised by the
refund rules (no refund inside the window); a booking covered by an entitlement is penalised here:

- the month's first `free_late_cancels_per_month` late cancels are `excused`: a pack's credit comes
  back, a membership is not charged;
- otherwise a pack's credit stays used (`credit_forfeited`), and a membership holder's saved card is
  charged the fee off-session (`charging` → `charged`, or `owed` when the card fails); a zero fee
  charges nothing and records nothing.

A penalty: pk `PENALTY#<booking_id>`, sk `PENALTY` — its conditional put makes it once per booking
whatever the event's deliveries; gsi1 `PENALTIES#<user_id>` / `<created_at>#<booking_id>`. The
month's count (pk `MEMBER#<user_id>`, sk `LATE#<YYYY-MM>`) moves in the same transaction, under a
condition on the value read, so two late cancels cannot both be the last free one. An admin's
waiver refunds a charged fee (once: Stripe idempotency key of the penalty) or gives the credit back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field
from pynamodb.exceptions import TransactWriteError

from fitconnect.payments import public as payments
from fitconnect.platform import clock
from fitconnect.platform.contract import Currency, RequestBody, View
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.errors import Conflict, NotFound
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.observability import logger
from fitconnect.platform.storage import conditional_update, get_item, transact_write
from fitconnect.pricing.entitlements import credit_back, entries, wallet_of
from fitconnect.pricing.models import LateCancels, Penalty, Policy, Purchase

ATTEMPTS = 10
Fee = Annotated[int, Field(ge=0, le=100_000)]


class PolicyRequest(RequestBody):
    late_cancel_fee_cents: Fee
    no_show_fee_cents: Fee
    currency: Currency
    free_late_cancels_per_month: Annotated[int, Field(ge=0, le=31)]


class PolicyView(View):
    late_cancel_fee_cents: int
    no_show_fee_cents: int
    currency: str
    free_late_cancels_per_month: int
    updated_at: str | None


class PenaltyView(View):
    penalty_id: str
    booking_id: str
    session_id: str
    reason: str = Field(description="late_cancel | no_show")
    entitlement_id: str
    kind: str = Field(description="The entitlement's kind: membership | class_pack")
    status: str = Field(
        description="excused | credit_forfeited | charging | charged | owed | waiving | waived"
    )
    fee_cents: int
    currency: str
    payment_intent_id: str | None = Field(description="The fee's charge at Stripe, once charged")
    failure: str | None
    created_at: str
    updated_at: str


class PenaltyEvent(DomainEvent):
    source = "fitconnect.pricing"
    penalty_id: str
    booking_id: str
    session_id: str
    user_id: str
    reason: str
    status: str
    fee_cents: int
    currency: str


class PenaltyApplied(PenaltyEvent):
    detail_type = "PenaltyApplied"


class PenaltyCharged(PenaltyEvent):
    detail_type = "PenaltyCharged"


class PenaltyWaived(PenaltyEvent):
    detail_type = "PenaltyWaived"
    refund_cents: int


def policy() -> Policy:
    return get_item(Policy, Policy.key()) or Policy(*Policy.key())


def policy_view(current: Policy) -> dict[str, Any]:
    return {
        "late_cancel_fee_cents": int(current.late_cancel_fee_cents),
        "no_show_fee_cents": int(current.no_show_fee_cents),
        "currency": current.currency,
        "free_late_cancels_per_month": int(current.free_late_cancels_per_month),
        "updated_at": current.updated_at,
    }


def set_policy(request: PolicyRequest) -> Policy:
    current = Policy(*Policy.key(), **request.model_dump(), updated_at=clock.now_iso())
    current.save()
    return current


def view(penalty: Penalty) -> dict[str, Any]:
    return {
        "penalty_id": penalty.penalty_id,
        "booking_id": penalty.booking_id,
        "session_id": penalty.session_id,
        "reason": penalty.reason,
        "entitlement_id": penalty.entitlement_id,
        "kind": penalty.kind,
        "status": penalty.status,
        "fee_cents": int(penalty.fee_cents),
        "currency": penalty.currency,
        "payment_intent_id": penalty.payment_intent_id,
        "failure": penalty.failure,
        "created_at": penalty.created_at,
        "updated_at": penalty.updated_at,
    }


def of_member(user_id: str, limit: int | None, cursor: str | None) -> dict[str, Any]:
    request = page_request(limit, cursor, bound_to={"gsi1pk": {"S": f"PENALTIES#{user_id}"}})
    found = Penalty.gsi1.query(
        f"PENALTIES#{user_id}",
        scan_index_forward=False,
        limit=request.limit,
        page_size=request.limit,
        last_evaluated_key=request.start_key,
    )
    items = [view(penalty) for penalty in found]
    return page(items, found.last_evaluated_key)


def all_of_member(user_id: str) -> list[Penalty]:
    return list(Penalty.gsi1.query(f"PENALTIES#{user_id}"))


# -- applying


@dataclass(frozen=True)
class PenalisedBooking:
    """What scheduling's BookingCancelled (late) and BookingNoShow events say of the booking."""

    booking_id: str
    session_id: str
    user_id: str
    covered_by: dict[str, str] | None

    @classmethod
    def of_event(cls, data: dict[str, Any]) -> PenalisedBooking:
        return cls(
            str(data["booking_id"]), str(data["session_id"]), str(data["user_id"]), data.get("covered_by")
        )


def on_late_cancel(data: dict[str, Any]) -> str:
    return _penalise(PenalisedBooking.of_event(data), "late_cancel")


def on_no_show(data: dict[str, Any]) -> str:
    return _penalise(PenalisedBooking.of_event(data), "no_show")


def _penalise(booking: PenalisedBooking, reason: str) -> str:
    covered_by = booking.covered_by
    if not covered_by:
        return "not_covered"  # paid by card (the refund rules apply) or free
    existing = get_item(Penalty, Penalty.key(booking.booking_id), consistent=True)
    if existing is None:
        existing = _record(booking, covered_by, reason)
        if existing is None:
            return "no_fee"
    if existing.status == "charging":
        _charge(existing)
    return existing.status


def _record(booking: PenalisedBooking, covered_by: dict[str, Any], reason: str) -> Penalty | None:
    """The penalty and the month's late count, in one transaction (None: nothing to record)."""
    rules = policy()
    month = clock.now_iso()[:7]
    for _attempt in range(ATTEMPTS):
        late = get_item(LateCancels, LateCancels.key(booking.user_id, month), consistent=True)
        count = int(late.count) if late is not None else 0
        excused = reason == "late_cancel" and count < int(rules.free_late_cancels_per_month)
        fee = int(rules.late_cancel_fee_cents if reason == "late_cancel" else rules.no_show_fee_cents)
        status = _status(str(covered_by["kind"]), excused, fee)
        if status is None and reason != "late_cancel":
            return None
        penalty = _new_penalty(booking, covered_by, reason, status, fee if status == "charging" else 0, rules)
        try:
            with transact_write() as transaction:
                if status is not None:
                    transaction.save(penalty, condition=Penalty.pk.does_not_exist())
                if reason == "late_cancel":
                    _count_late(transaction, booking.user_id, month, count)
                if status == "excused" and covered_by["kind"] == "class_pack":
                    credit_back(transaction, booking.user_id, str(covered_by["entitlement_id"]))
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            existing = get_item(Penalty, Penalty.key(booking.booking_id), consistent=True)
            if existing is not None:
                return existing  # a redelivery recorded it first
            continue  # the month's count moved: decide again
        if status is None:
            return None
        _announce(penalty)
        return penalty
    raise Conflict("Penalties are busy; the event will be retried.", code="busy")


def _status(kind: str, excused: bool, fee: int) -> str | None:
    if excused:
        return "excused"
    if kind == "class_pack":
        return "credit_forfeited"
    return "charging" if fee else None


def _new_penalty(
    booking: PenalisedBooking,
    covered_by: dict[str, Any],
    reason: str,
    status: str | None,
    fee: int,
    rules: Policy,
) -> Penalty:
    now = clock.now_iso()
    return Penalty(
        *Penalty.key(booking.booking_id),
        gsi1pk=f"PENALTIES#{booking.user_id}",
        gsi1sk=f"{now}#{booking.booking_id}",
        penalty_id=booking.booking_id,
        booking_id=booking.booking_id,
        session_id=booking.session_id,
        user_id=booking.user_id,
        reason=reason,
        entitlement_id=str(covered_by["entitlement_id"]),
        kind=str(covered_by["kind"]),
        status=status or "none",
        fee_cents=fee,
        currency=rules.currency,
        created_at=now,
        updated_at=now,
    )


def _count_late(transaction: Any, user_id: str, month: str, count: int) -> None:
    unchanged = LateCancels.count.does_not_exist() if count == 0 else LateCancels.count == count
    transaction.update(
        LateCancels(*LateCancels.key(user_id, month)), actions=[LateCancels.count.add(1)], condition=unchanged
    )


def _charge(penalty: Penalty) -> None:
    """The fee, off-session on the membership's card (once: the idempotency key is the penalty's)."""
    purchase = get_item(Purchase, Purchase.key(penalty.entitlement_id), consistent=True)
    card = purchase.payment_method if purchase is not None else None
    stripe = payments.stripe_client()
    try:
        intent = stripe.v1.payment_intents.create(
            params={
                "amount": int(penalty.fee_cents),
                "currency": penalty.currency,
                "customer": payments.customer_id_of(penalty.user_id),
                "payment_method": card,
                "off_session": True,
                "confirm": True,
                "metadata": {"penalty_id": penalty.penalty_id, "user_id": penalty.user_id},
            },
            options=payments.idempotent(f"penalty-{penalty.penalty_id}"),
        )
        outcome, failure, intent_id = (
            ("charged", None, intent.id)
            if intent.status == "succeeded"
            else (
                "owed",
                f"The payment needs the member ({intent.status}).",
                intent.id,
            )
        )
    except payments.stripe_error() as error:
        if getattr(error, "http_status", None) != 402 or card is None:  # not the card's answer: retry
            logger.warning("penalty charge failed", extra={"error": type(error).__name__})
            raise
        outcome, failure, intent_id = "owed", str(getattr(error, "user_message", None) or "declined"), None
    actions = [Penalty.status.set(outcome), Penalty.updated_at.set(clock.now_iso())]
    actions += [Penalty.payment_intent_id.set(intent_id)] if intent_id else []
    actions += [Penalty.failure.set(failure)] if failure else []
    if conditional_update(penalty, actions, Penalty.status == "charging"):
        penalty.status, penalty.failure = outcome, failure
        _announce(penalty)


def _announce(penalty: Penalty) -> None:
    if penalty.status == "charging":
        return  # announced once charged or owed
    events: list[DomainEvent] = [PenaltyApplied(**_event_fields(penalty))]
    if penalty.status == "charged":
        events.append(PenaltyCharged(**_event_fields(penalty)))
    publish(events)


def _event_fields(penalty: Penalty) -> dict[str, Any]:
    return {
        "penalty_id": penalty.penalty_id,
        "booking_id": penalty.booking_id,
        "session_id": penalty.session_id,
        "user_id": penalty.user_id,
        "reason": penalty.reason,
        "status": penalty.status,
        "fee_cents": int(penalty.fee_cents),
        "currency": penalty.currency,
    }


# -- waiving


def waive(penalty_id: str) -> Penalty:
    """An admin forgives it: a charged fee is refunded, a forfeited credit comes back, an owed fee is
    dropped. Repeatable (a waived penalty is returned as it is)."""
    penalty = get_item(Penalty, Penalty.key(penalty_id), consistent=True)
    if penalty is None:
        raise NotFound("No such penalty.", code="penalty_not_found")
    refund_cents = 0
    if penalty.status == "waived":
        return penalty
    if penalty.status in ("excused", "charging"):
        raise Conflict(f"A penalty that is {penalty.status} cannot be waived.", code="not_waivable")
    if penalty.status == "credit_forfeited":
        _waive_credit(penalty)
    elif penalty.status in ("charged", "waiving"):
        refund_cents = _refund_fee(penalty)
    elif not conditional_update(penalty, _waived(), Penalty.status == "owed"):
        raise Conflict("The penalty changed meanwhile; try again.", code="busy")
    penalty = get_item(Penalty, Penalty.key(penalty_id), consistent=True)
    publish([PenaltyWaived(**_event_fields(penalty), refund_cents=refund_cents)])
    return penalty


def _waived() -> list[Any]:
    return [Penalty.status.set("waived"), Penalty.updated_at.set(clock.now_iso())]


def _waive_credit(penalty: Penalty) -> None:
    still_held = penalty.entitlement_id in entries(wallet_of(penalty.user_id, consistent=True))
    try:
        with transact_write() as transaction:
            transaction.update(penalty, actions=_waived(), condition=Penalty.status == "credit_forfeited")
            if still_held:
                credit_back(transaction, penalty.user_id, penalty.entitlement_id)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            raise Conflict("The penalty changed meanwhile; try again.", code="busy") from None
        raise


def _refund_fee(penalty: Penalty) -> int:
    """Claim (`charged → waiving`), refund at Stripe under the penalty's key, then `waived`: a
    retry after a failure completes the same refund."""
    conditional_update(penalty, [Penalty.status.set("waiving")], Penalty.status == "charged")
    try:
        payments.stripe_client().v1.refunds.create(
            params={
                "payment_intent": penalty.payment_intent_id,
                "metadata": {"penalty_id": penalty.penalty_id},
            },
            options=payments.idempotent(f"waive-{penalty.penalty_id}"),
        )
    except payments.stripe_error() as error:
        raise payments.unavailable(error, "penalty refund") from None
    conditional_update(penalty, _waived(), Penalty.status == "waiving")
    return int(penalty.fee_cents)
