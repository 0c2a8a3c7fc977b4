"""Products for sale: memberships (monthly or yearly, unlimited or N classes per period) and class
packs (N credits valid D days). Each is a Stripe Product; a membership also a recurring Plan (the
Prices API is Stripe's newer name for the same thing; localstripe has only Plans).

A product: pk `PRODUCT#<product_id>`, sk `PRODUCT`; while on sale gsi1 `PRODUCTS` /
`<name>#<product_id>` lists it (GET /products). Archiving takes it off the index and deactivates it
at Stripe; what was sold is untouched (a purchase keeps its own copy of the product).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from fitconnect.payments import public as payments
from fitconnect.platform import clock, ids
from fitconnect.platform.contract import Currency, PlainText, RequestBody, View
from fitconnect.platform.errors import NotFound
from fitconnect.platform.observability import logger
from fitconnect.platform.storage import get_item
from fitconnect.pricing.models import Product

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120), PlainText]
SessionKind = Literal["in_person", "live"]  # a session's kind
Cents = Annotated[int, Field(ge=50, le=10_000_000)]  # Stripe's smallest charge is 50 cents


class ProductRequest(RequestBody):
    kind: Literal["membership", "class_pack"]
    name: Name
    price_cents: Cents
    currency: Currency
    interval: Literal["month", "year"] | None = None
    classes_per_period: Annotated[int, Field(ge=1, le=1000)] | None = None
    credits: Annotated[int, Field(ge=1, le=1000)] | None = None
    valid_days: Annotated[int, Field(ge=1, le=3650)] | None = None
    session_kinds: Annotated[list[SessionKind], Field(max_length=2)] | None = None

    @model_validator(mode="after")
    def _fits_its_kind(self) -> ProductRequest:
        if self.kind == "membership":
            if self.interval is None:
                raise ValueError("a membership needs an interval (month or year)")
            if self.credits is not None or self.valid_days is not None:
                raise ValueError("credits and valid_days are for class packs")
        else:
            if self.credits is None or self.valid_days is None:
                raise ValueError("a class pack needs credits and valid_days")
            if self.interval is not None or self.classes_per_period is not None:
                raise ValueError("interval and classes_per_period are for memberships")
        return self


class ProductChange(RequestBody):
    """What an admin may change after the sale started: the name, or archive it (prices and terms
    are what members bought: a new price is a new product)."""

    name: Name | None = None
    status: Literal["active", "archived"] | None = None


class ProductView(View):
    product_id: str
    kind: str = Field(description="membership | class_pack")
    name: str
    price_cents: int
    currency: str
    interval: str | None
    classes_per_period: int | None = Field(description="A membership's classes per period; null: unlimited")
    credits: int | None
    valid_days: int | None
    session_kinds: list[str] = Field(description="The session kinds it covers; empty: every kind")
    status: str = Field(description="active | archived")
    created_at: str


def view(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "kind": product.kind,
        "name": product.name,
        "price_cents": int(product.price_cents),
        "currency": product.currency,
        "interval": product.interval,
        "classes_per_period": _int_or_none(product.classes_per_period),
        "credits": _int_or_none(product.credits),
        "valid_days": _int_or_none(product.valid_days),
        "session_kinds": list(product.session_kinds or []),
        "status": product.status,
        "created_at": product.created_at,
    }


def _int_or_none(value: Any) -> int | None:
    return int(value) if value is not None else None


def create(request: ProductRequest) -> Product:
    """The product at Stripe first (idempotency keys from our id), then ours."""
    product_id = ids.new_id()
    now = clock.now_iso()
    product = Product(
        *Product.key(product_id),
        gsi1pk="PRODUCTS",
        gsi1sk=f"{request.name.lower()}#{product_id}",
        product_id=product_id,
        kind=request.kind,
        name=request.name,
        price_cents=request.price_cents,
        currency=request.currency,
        interval=request.interval,
        classes_per_period=request.classes_per_period,
        credits=request.credits,
        valid_days=request.valid_days,
        session_kinds=request.session_kinds or [],
        created_at=now,
        updated_at=now,
    )
    product.stripe_product_id, product.stripe_plan_id = _at_stripe(product)
    product.save()
    return product


def _at_stripe(product: Product) -> tuple[str, str | None]:
    stripe = payments.stripe_client()
    try:
        created = stripe.v1.products.create(
            params={"name": product.name, "metadata": {"product_id": product.product_id}},
            options=payments.idempotent(f"product-{product.product_id}"),
        )
        if product.kind != "membership":
            return str(created.id), None
        plan = stripe.v1.plans.create(
            params={
                "product": created.id,
                "amount": int(product.price_cents),
                "currency": product.currency,
                "interval": product.interval,
                "metadata": {"product_id": product.product_id},
            },
            options=payments.idempotent(f"plan-{product.product_id}"),
        )
        return str(created.id), str(plan.id)
    except payments.stripe_error() as error:
        raise payments.unavailable(error, "product") from None


def product_of(product_id: str, *, for_sale: bool = False) -> Product:
    product = get_item(Product, Product.key(product_id), consistent=True)
    if product is None or (for_sale and product.status != "active"):
        raise NotFound("No such product for sale.", code="product_not_found")
    return product


def update(product_id: str, change: ProductChange) -> Product:
    product = product_of(product_id)
    actions = [Product.updated_at.set(clock.now_iso())]
    name = change.name or product.name
    if change.name:
        actions.append(Product.name.set(change.name))
    if change.status == "archived":
        actions += [Product.status.set("archived"), Product.gsi1pk.remove(), Product.gsi1sk.remove()]
    elif change.status == "active" or (change.name and product.status == "active"):
        actions += [
            Product.status.set("active"),
            Product.gsi1pk.set("PRODUCTS"),
            Product.gsi1sk.set(f"{name.lower()}#{product_id}"),
        ]
    product.update(actions=actions)
    if change.status and product.stripe_product_id:
        _set_active_at_stripe(product, change.status == "active")
    return product


def _set_active_at_stripe(product: Product, active: bool) -> None:
    """Stripe's product follows (not for sale in Stripe's dashboard either); existing
    subscriptions keep renewing, as they do at Stripe for an inactive product."""
    try:
        payments.stripe_client().v1.products.update(product.stripe_product_id, params={"active": active})
    except payments.stripe_error() as error:  # ours is the source of truth; Stripe catches up later
        logger.warning("stripe product not updated", extra={"error": type(error).__name__})


def for_sale() -> list[dict[str, Any]]:
    """Every product on sale, by name (a gym sells tens, not thousands: one query, no paging)."""
    return [view(product) for product in Product.gsi1.query("PRODUCTS")]
