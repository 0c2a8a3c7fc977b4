"""A member's entitlements: what they may book without paying for the class.

All of a member's entitlements live in one item, the wallet (pk `MEMBER#<user_id>`, sk `WALLET`),
as a map from entitlement id (the purchase's id) to its state. A booking reads it in the same
BatchGetItem as the session and takes a credit (pack) or a class of the period's allowance
(membership) by an update in the same transaction as the seat, conditioned on what it read:

- a class pack: `credits_left > 0`, so 100 concurrent bookings on a 5-credit pack take 5 credits;
- a membership with N classes per period: `classes_used < N` (unlimited counts, never refuses);
- both: `revision` unchanged — renewals, suspensions, freezes, cancellations and expiries bump it,
  so a booking never uses an entitlement in a state it did not check.

Cover rules: only a priced session needs cover (a free one is free). An entitlement covers a
session when it is active, its session kinds (if any) include the session's kind, and:
a pack has credits left and has not expired when the session starts; a membership's paid period
contains the session's start, neither today nor the session's day is frozen, and the period's
allowance is not used up. `pay_with: "auto"` prefers a membership, then the pack expiring first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from fitconnect.platform import clock
from fitconnect.platform.contract import View
from fitconnect.platform.errors import Conflict, NotFound, Unprocessable
from fitconnect.platform.storage import conditional_update, get_item, plain_map
from fitconnect.pricing.models import Wallet

LIVE = ("active",)
CHANGE_ATTEMPTS = 20  # a renewal or a suspension racing others: each lost race reads again


@dataclass(frozen=True)
class Cover:
    """The entitlement a booking uses, as read: what the transaction takes and checks."""

    user_id: str
    entitlement_id: str
    kind: str
    revision: int
    limited: bool  # a pack, or a membership with N classes per period
    period_start: str | None = None

    def as_booking_field(self) -> dict[str, Any]:
        field: dict[str, Any] = {"entitlement_id": self.entitlement_id, "kind": self.kind}
        if self.period_start:
            field["period_start"] = self.period_start
        return field


def wallet_key(user_id: str) -> tuple[str, str]:
    return Wallet.key(user_id)


def wallet_of(user_id: str, *, consistent: bool = False) -> Wallet | None:
    return get_item(Wallet, Wallet.key(user_id), consistent=consistent)


def entries(wallet: Wallet | None) -> dict[str, dict[str, Any]]:
    return {key: dict(value) for key, value in plain_map(wallet.entitlements if wallet else None).items()}


# -- choosing and taking cover


def choose(wallet: Wallet | None, session: Any, pay_with: str, user_id: str) -> Cover | None:
    """The entitlement that pays for `session` (None: pay by card, or the session is free). A named
    entitlement that does not cover it is a 422 (the member asked for it)."""
    if pay_with == "card" or not int(session.price_cents):
        return None
    now = clock.now()
    candidates = [entry for entry in entries(wallet).values() if _covers(entry, session, now)]
    if pay_with != "auto":
        named = [entry for entry in candidates if entry["entitlement_id"] == pay_with]
        if not named:
            raise Unprocessable(
                "That entitlement does not cover this session (used up, expired, frozen or another kind).",
                code="entitlement_not_applicable",
            )
        return _cover(user_id, named[0])
    memberships = [entry for entry in candidates if entry["kind"] == "membership"]
    packs = sorted(
        (entry for entry in candidates if entry["kind"] == "class_pack"), key=lambda e: str(e["expires_at"])
    )
    chosen = (memberships + packs)[:1]
    return _cover(user_id, chosen[0]) if chosen else None


def _covers(entry: dict[str, Any], session: Any, now: datetime) -> bool:
    if entry.get("status") not in LIVE:
        return False
    kinds = entry.get("session_kinds") or []
    if kinds and session.kind not in kinds:
        return False
    starts = str(session.starts_at)
    if entry["kind"] == "class_pack":
        expires = str(entry["expires_at"])
        return int(entry["credits_left"]) > 0 and starts < expires and clock.to_iso(now) < expires
    if not str(entry["period_start"]) <= starts < str(entry["period_end"]):
        return False
    if _frozen_on(entry, clock.to_iso(now)[:10]) or _frozen_on(entry, starts[:10]):
        return False
    limit = entry.get("classes_per_period")
    return limit is None or int(entry.get("classes_used") or 0) < int(limit)


def _frozen_on(entry: dict[str, Any], day: str) -> bool:
    return bool(entry.get("frozen_from")) and str(entry["frozen_from"]) <= day < str(entry["frozen_until"])


def _cover(user_id: str, entry: dict[str, Any]) -> Cover:
    membership = entry["kind"] == "membership"
    return Cover(
        user_id=user_id,
        entitlement_id=str(entry["entitlement_id"]),
        kind=str(entry["kind"]),
        revision=int(entry.get("revision") or 0),
        limited=not membership or entry.get("classes_per_period") is not None,
        period_start=str(entry["period_start"]) if membership else None,
    )


def take(transaction: Any, cover: Cover) -> None:
    """In the booking's transaction: one credit, or one class of the period, under the conditions
    the cover was chosen by."""
    entry = Wallet.entitlements[cover.entitlement_id]
    condition = (entry["revision"] == cover.revision) & (entry["status"] == "active")
    if cover.kind == "class_pack":
        actions = [entry["credits_left"].add(-1)]
        condition &= entry["credits_left"] > 0
    else:
        actions = [entry["classes_used"].add(1)]
        if cover.limited:
            condition &= entry["classes_used"] < entry["classes_per_period"]
    transaction.update(Wallet(*Wallet.key(cover.user_id)), actions=actions, condition=condition)


def give_back(transaction: Any, user_id: str, covered_by: dict[str, Any], wallet: Wallet | None) -> bool:
    """In a timely cancellation's transaction: the credit, or the class of the period it was taken
    from (not one of a later period: the renewal reset the count). False when there is nothing to
    give back to (the entitlement is gone, or its period has passed)."""
    entry = entries(wallet).get(str(covered_by.get("entitlement_id")))
    if entry is None:
        return False
    if entry["kind"] == "class_pack":
        credit_back(transaction, user_id, entry["entitlement_id"])
        return True
    path = Wallet.entitlements[entry["entitlement_id"]]
    if covered_by.get("period_start") != entry.get("period_start"):
        return False
    transaction.update(
        Wallet(*Wallet.key(user_id)),
        actions=[path["classes_used"].add(-1)],
        condition=(path["revision"] == int(entry.get("revision") or 0)) & (path["classes_used"] > 0),
    )
    return True


def credit_back(transaction: Any, user_id: str, entitlement_id: str) -> None:
    """In a transaction: one credit back to a pack, if the member still holds it."""
    path = Wallet.entitlements[entitlement_id]
    transaction.update(
        Wallet(*Wallet.key(user_id)), actions=[path["credits_left"].add(1)], condition=path.exists()
    )


# -- reading


def status_of(entry: dict[str, Any], today: str) -> str:
    """active | frozen | suspended | expired | cancelled, as the member sees it today."""
    status = str(entry.get("status"))
    if status == "active" and entry["kind"] == "class_pack" and str(entry["expires_at"]) <= clock.now_iso():
        return "expired"  # the schedule marks it soon; the member sees it at once
    if status == "active" and _frozen_on(entry, today):
        return "frozen"
    return status


class EntitlementView(View):
    """A membership or class pack in the member's wallet; a pack has credits, a membership a period."""

    entitlement_id: str
    product_id: str
    purchase_id: str
    name: str
    kind: Literal["membership", "class_pack"]
    status: str = Field(description="active | frozen | suspended | expired | cancelled")
    session_kinds: list[str]
    created_at: str
    credits_total: int | None = None
    credits_left: int | None = None
    expires_at: str | None = None
    classes_per_period: int | None = None
    classes_used_this_period: int | None = None
    classes_left_this_period: int | None = None
    period_start: str | None = None
    period_end: str | None = None
    cancel_at_period_end: bool | None = None
    frozen_from: str | None = None
    frozen_until: str | None = None
    subscription_id: str | None = None


class EntitlementsView(View):
    items: list[EntitlementView]


def view(entry: dict[str, Any]) -> dict[str, Any]:
    today = clock.now_iso()[:10]
    result: dict[str, Any] = {
        "entitlement_id": entry["entitlement_id"],
        "product_id": entry["product_id"],
        "purchase_id": entry["purchase_id"],
        "name": entry["name"],
        "kind": entry["kind"],
        "status": status_of(entry, today),
        "session_kinds": list(entry.get("session_kinds") or []),
        "created_at": entry["created_at"],
    }
    if entry["kind"] == "class_pack":
        result |= {
            "credits_total": int(entry["credits_total"]),
            "credits_left": int(entry["credits_left"]),
            "expires_at": entry["expires_at"],
        }
    else:
        limit = entry.get("classes_per_period")
        used = int(entry.get("classes_used") or 0)
        result |= {
            "classes_per_period": int(limit) if limit is not None else None,
            "classes_used_this_period": used,
            "classes_left_this_period": max(0, int(limit) - used) if limit is not None else None,
            "period_start": entry["period_start"],
            "period_end": entry["period_end"],
            "cancel_at_period_end": bool(entry.get("cancel_at_period_end")),
            "frozen_from": entry.get("frozen_from"),
            "frozen_until": entry.get("frozen_until"),
            "subscription_id": entry.get("subscription_id"),
        }
    return result


def of_member(user_id: str) -> list[dict[str, Any]]:
    """The member's entitlements, newest first."""
    found = entries(wallet_of(user_id, consistent=True)).values()
    return [view(entry) for entry in sorted(found, key=lambda e: str(e["created_at"]), reverse=True)]


def own_entry(user_id: str, entitlement_id: str) -> dict[str, Any]:
    entry = entries(wallet_of(user_id, consistent=True)).get(entitlement_id)
    if entry is None:
        raise NotFound("No such entitlement.", code="entitlement_not_found")
    return entry


def change(user_id: str, entry: dict[str, Any], fields: dict[str, Any]) -> bool:
    """Set `fields` of an entitlement and bump its revision, if nobody changed it since `entry` was
    read (a booking's take changes counts, not the revision, so it never makes this fail)."""
    path = Wallet.entitlements[entry["entitlement_id"]]
    revision = int(entry.get("revision") or 0)
    actions = [path[name].set(value) for name, value in fields.items()]
    actions.append(path["revision"].set(revision + 1))
    return conditional_update(Wallet(*Wallet.key(user_id)), actions, path["revision"] == revision)


def change_when(
    user_id: str, entitlement_id: str, decide: Callable[[dict[str, Any]], dict[str, Any] | None]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Read the entitlement, let `decide` name the fields to set (None: nothing to do) and `change`
    them; a lost race reads again. The entitlement as last read, and the fields set (or None)."""
    for _attempt in range(CHANGE_ATTEMPTS):
        entry = own_entry(user_id, entitlement_id)
        fields = decide(entry)
        if fields is None or change(user_id, entry, fields):
            return entry, fields
    raise Conflict("The entitlement is busy; try again.", code="busy")


def must_change(user_id: str, entry: dict[str, Any], fields: dict[str, Any]) -> None:
    if not change(user_id, entry, fields):
        raise Conflict("The entitlement changed meanwhile; try again.", code="busy")
