"""What a member does with a membership (cancel at period end, freeze) and how packs expire.

- Cancel: Stripe cancels the subscription at the period end (`cancel_at_period_end`), the
  membership covers classes until then, and `customer.subscription.deleted` ends it.
- Freeze `{from, until}` (days, up to 90, not in the past): nothing is covered on those days (nor
  booked while frozen); the period end moves by the frozen days; billing pauses: the subscription's
  next invoice moves to the new period end (Stripe: `trial_end` there, without proration). One
  freeze at a time; a freeze that has not started can be replaced.
- Class packs end at `expires_at` even unseen (the cover rules check the date); the schedule marks
  them `expired` from the expiry index (pk `EXPIRES`) so the member's list and reports say so.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import Field, Strict, model_validator

from fitconnect.payments import public as payments
from fitconnect.platform import clock
from fitconnect.platform.contract import RequestBody
from fitconnect.platform.errors import Conflict, Unprocessable
from fitconnect.platform.storage import get_item
from fitconnect.pricing.entitlements import change, entries, must_change, own_entry, status_of, view
from fitconnect.pricing.models import ExpiryMarker, Wallet

MAX_FREEZE_DAYS = 90


Day = Annotated[date, Strict(False)]  # YYYY-MM-DD in JSON


class FreezeRequest(RequestBody):
    from_: Day = Field(alias="from")
    until: Day

    @model_validator(mode="after")
    def _a_range(self) -> FreezeRequest:
        if self.until <= self.from_:
            raise ValueError("until must be after from")
        if (self.until - self.from_).days > MAX_FREEZE_DAYS:
            raise ValueError(f"a freeze lasts at most {MAX_FREEZE_DAYS} days")
        return self


def _membership(user_id: str, entitlement_id: str) -> dict[str, Any]:
    entry = own_entry(user_id, entitlement_id)
    if entry["kind"] != "membership":
        raise Unprocessable("Only a membership can be cancelled or frozen.", code="not_a_membership")
    if entry["status"] not in ("active", "suspended"):
        raise Conflict(f"This membership is {entry['status']}.", code="membership_ended")
    return entry


def cancel(user_id: str, entitlement_id: str) -> dict[str, Any]:
    """Cancel at the period end (repeatable: a second call changes nothing)."""
    entry = _membership(user_id, entitlement_id)
    if entry.get("cancel_at_period_end"):
        return view(entry)
    _at_stripe(entry, {"cancel_at_period_end": True})
    must_change(user_id, entry, {"cancel_at_period_end": True})
    return view(own_entry(user_id, entitlement_id))


def freeze(user_id: str, entitlement_id: str, request: FreezeRequest) -> dict[str, Any]:
    entry = _membership(user_id, entitlement_id)
    today = clock.now().date()
    if request.from_ < today:
        raise Unprocessable("A freeze cannot start in the past.", code="freeze_in_the_past")
    if entry.get("frozen_from") and str(entry["frozen_from"]) <= today.isoformat():
        raise Conflict("This membership has a freeze that has started already.", code="already_frozen")
    if str(entry["period_end"])[:10] < request.from_.isoformat():
        raise Unprocessable("A freeze must start within the paid period.", code="freeze_outside_period")
    earlier = _days(entry.get("frozen_from"), entry.get("frozen_until"))  # a freeze being replaced
    days = (request.until - request.from_).days
    period_end = clock.parse(str(entry["period_end"])) + timedelta(days=days - earlier)
    _at_stripe(entry, _billing_moved_to(period_end))
    must_change(
        user_id,
        entry,
        {
            "frozen_from": request.from_.isoformat(),
            "frozen_until": request.until.isoformat(),
            "period_end": clock.to_iso(period_end),
        },
    )
    return view(own_entry(user_id, entitlement_id))


def _days(start: Any, end: Any) -> int:
    if not start or not end:
        return 0
    return (date.fromisoformat(str(end)) - date.fromisoformat(str(start))).days


def _billing_moved_to(period_end: datetime) -> dict[str, Any]:
    params: dict[str, Any] = {"trial_end": clock.epoch_seconds(period_end)}
    if not payments.is_local():
        params["proration_behavior"] = "none"  # Stripe's; localstripe refuses the parameter
    return params


def _at_stripe(entry: dict[str, Any], params: dict[str, Any]) -> None:
    if not entry.get("subscription_id"):
        return
    try:
        payments.stripe_client().v1.subscriptions.update(str(entry["subscription_id"]), params=params)
    except payments.stripe_error() as error:
        raise payments.unavailable(error, "subscription change") from None


def expire_packs(now: datetime | None = None) -> int:
    """Packs past their date become `expired` (repeatable: a marker leaves once its pack is marked)."""
    cutoff = clock.to_iso(now or clock.now())
    expired = 0
    for marker in ExpiryMarker.query("EXPIRES", ExpiryMarker.sk < cutoff):
        wallet = get_item(Wallet, Wallet.key(marker.user_id), consistent=True)
        entry = entries(wallet).get(marker.entitlement_id)
        if entry is not None and status_of(entry, cutoff[:10]) == "expired" and entry["status"] == "active":
            if not change(marker.user_id, entry, {"status": "expired"}):
                continue  # a booking or a change raced it: the next run sees it again
            expired += 1
        marker.delete()
    return expired
