"""Promo codes: percent or amount off a product's price, limited in time, to products, in total and
per member. The limits hold under any concurrency: a redemption is two counters moved in the
purchase's own transaction, each under its limit as a condition (the code's `redeemed` below
`max_redemptions`; the member's count below `max_per_member`). A purchase that is never paid
(its intent cancelled) gives its redemption back.

- a code: pk `PROMO#<CODE>`, sk `PROMO`; gsi1 `PROMOS` / `<created_at>#<CODE>` (the admin's list);
- a member's redemptions of it: pk `PROMO#<CODE>`, sk `MEMBER#<user_id>`.
Codes are case-insensitive (stored upper case).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from fitconnect.platform import clock
from fitconnect.platform.contract import Currency, Instant, ItemId, RequestBody, View
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.errors import Conflict, Unprocessable
from fitconnect.platform.storage import conditional_save, get_item
from fitconnect.pricing.models import Product, PromoCode, Redemptions

Code = Annotated[str, StringConstraints(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class PromoRequest(RequestBody):
    code: Code
    percent_off: Annotated[int, Field(ge=1, le=100)] | None = None
    amount_off_cents: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    currency: Currency | None = None
    product_ids: Annotated[list[ItemId], Field(max_length=50)] | None = None
    valid_from: Instant | None = None
    valid_until: Instant | None = None
    max_redemptions: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    max_per_member: Annotated[int, Field(ge=1, le=1000)] = 1

    @model_validator(mode="after")
    def _one_discount(self) -> PromoRequest:
        if (self.percent_off is None) == (self.amount_off_cents is None):
            raise ValueError("give exactly one of percent_off and amount_off_cents")
        if self.amount_off_cents is not None and self.currency is None:
            raise ValueError("an amount off needs its currency")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        return self


class PromoView(View):
    code: str
    percent_off: int | None
    amount_off_cents: int | None
    currency: str | None
    product_ids: list[str]
    valid_from: str | None
    valid_until: str | None
    max_redemptions: int | None
    max_per_member: int
    redeemed: int = Field(description="Redemptions so far (purchases awaiting payment included)")
    created_at: str


def view(promo: PromoCode) -> dict[str, Any]:
    return {
        "code": promo.code,
        "percent_off": _int(promo.percent_off),
        "amount_off_cents": _int(promo.amount_off_cents),
        "currency": promo.currency,
        "product_ids": list(promo.product_ids or []),
        "valid_from": promo.valid_from,
        "valid_until": promo.valid_until,
        "max_redemptions": _int(promo.max_redemptions),
        "max_per_member": int(promo.max_per_member),
        "redeemed": int(promo.redeemed or 0),
        "created_at": promo.created_at,
    }


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def create(request: PromoRequest) -> PromoCode:
    code = request.code.upper()
    now = clock.now_iso()
    promo = PromoCode(
        *PromoCode.key(code),
        gsi1pk="PROMOS",
        gsi1sk=f"{now}#{code}",
        code=code,
        percent_off=request.percent_off,
        amount_off_cents=request.amount_off_cents,
        currency=request.currency,
        product_ids=request.product_ids or [],
        valid_from=clock.to_iso(request.valid_from) if request.valid_from else None,
        valid_until=clock.to_iso(request.valid_until) if request.valid_until else None,
        max_redemptions=request.max_redemptions,
        max_per_member=request.max_per_member,
        created_at=now,
    )
    if not conditional_save(promo, PromoCode.pk.does_not_exist()):
        raise Conflict("That code exists already.", code="promo_code_exists")
    return promo


def listing(limit: int | None, cursor: str | None) -> dict[str, Any]:
    request = page_request(limit, cursor, bound_to={"gsi1pk": {"S": "PROMOS"}})
    found = PromoCode.gsi1.query(
        "PROMOS",
        scan_index_forward=False,
        limit=request.limit,
        page_size=request.limit,
        last_evaluated_key=request.start_key,
    )
    items = [view(promo) for promo in found]
    return page(items, found.last_evaluated_key)


@dataclass(frozen=True)
class Discount:
    code: str
    cents: int
    max_redemptions: int | None
    max_per_member: int


def quote(code: str, product: Product, user_id: str, now: datetime) -> Discount:
    """The discount `code` gives `user_id` on `product` now, or a 422 `promo_code_invalid` saying why."""
    promo = get_item(PromoCode, PromoCode.key(code), consistent=True)
    stamp = clock.to_iso(now)
    if promo is None:
        _invalid("No such promo code.")
    if promo.valid_from and stamp < promo.valid_from:
        _invalid("This promo code is not valid yet.")
    if promo.valid_until and stamp >= promo.valid_until:
        _invalid("This promo code has expired.")
    if promo.product_ids and product.product_id not in promo.product_ids:
        _invalid("This promo code does not apply to this product.")
    if promo.max_redemptions is not None and int(promo.redeemed or 0) >= int(promo.max_redemptions):
        _invalid("This promo code has been used up.")
    used = get_item(Redemptions, Redemptions.key(promo.code, user_id), consistent=True)
    if used is not None and int(used.count) >= int(promo.max_per_member):
        _invalid("You have already used this promo code.")
    if promo.percent_off is not None:
        cents = int(product.price_cents) * int(promo.percent_off) // 100
    else:
        if promo.currency != product.currency:
            _invalid("This promo code is for another currency.")
        cents = min(int(promo.amount_off_cents), int(product.price_cents))
    return Discount(promo.code, cents, _int(promo.max_redemptions), int(promo.max_per_member))


def _invalid(reason: str) -> None:
    raise Unprocessable(reason, code="promo_code_invalid")


def redeem(transaction: Any, discount: Discount, user_id: str) -> None:
    """In the purchase's transaction: both counters, each under its limit."""
    promo = PromoCode(*PromoCode.key(discount.code))
    condition = PromoCode.pk.exists()
    if discount.max_redemptions is not None:
        condition &= PromoCode.redeemed < discount.max_redemptions
    transaction.update(promo, actions=[PromoCode.redeemed.add(1)], condition=condition)
    transaction.update(
        Redemptions(*Redemptions.key(discount.code, user_id)),
        actions=[Redemptions.count.add(1)],
        condition=Redemptions.count.does_not_exist() | (Redemptions.count < discount.max_per_member),
    )


def give_back(transaction: Any, code: str, user_id: str) -> None:
    """In the transaction that ends an unpaid purchase: its redemption is free again."""
    transaction.update(PromoCode(*PromoCode.key(code)), actions=[PromoCode.redeemed.add(-1)])
    transaction.update(Redemptions(*Redemptions.key(code, user_id)), actions=[Redemptions.count.add(-1)])
