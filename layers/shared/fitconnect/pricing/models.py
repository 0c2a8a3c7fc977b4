"""The pricing context's items, all in the pricing table (`PRICING_TABLE`); the module that works
with an item documents its keys."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from fitconnect.platform.storage import ContextItem, gsi1_index, table_meta

TABLE_ENV = "PRICING_TABLE"


class PricingItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class Product(PricingItem):
    """On sale while gsi1 (`PRODUCTS` / `<name>#<id>`) is set; archiving removes it from the index."""

    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    product_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # membership | class_pack
    name = UnicodeAttribute()
    price_cents = NumberAttribute()
    currency = UnicodeAttribute()
    interval = UnicodeAttribute(null=True)  # month | year (membership)
    classes_per_period = NumberAttribute(null=True)  # membership; None = unlimited
    credits = NumberAttribute(null=True)  # class pack
    valid_days = NumberAttribute(null=True)  # class pack
    session_kinds = ListAttribute(of=UnicodeAttribute, default=list)  # empty = every kind
    status = UnicodeAttribute(default="active")  # active | archived
    stripe_product_id = UnicodeAttribute(null=True)
    stripe_plan_id = UnicodeAttribute(null=True)  # membership: its recurring price
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(product_id: str) -> tuple[str, str]:
        return f"PRODUCT#{product_id}", "PRODUCT"


class Purchase(PricingItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    purchase_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    product = MapAttribute[str, Any]()  # the product as sold (later edits do not change it)
    amount_cents = NumberAttribute()
    discount_cents = NumberAttribute(default=0)
    currency = UnicodeAttribute()
    promo_code = UnicodeAttribute(null=True)
    # pending_payment → paid; or failed / canceled (a promo redemption is given back)
    status = UnicodeAttribute()
    payment_intent_id = UnicodeAttribute(null=True)
    subscription_id = UnicodeAttribute(null=True)
    client_secret = UnicodeAttribute(null=True)
    payment_method = UnicodeAttribute(null=True)  # a membership's saved card (renewals, penalties)
    created_at = UnicodeAttribute()
    paid_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(purchase_id: str) -> tuple[str, str]:
        return f"PURCHASE#{purchase_id}", "PURCHASE"


class SubscriptionLink(PricingItem):
    """Finds the purchase of a Stripe subscription (invoices name the subscription, not us)."""

    purchase_id = UnicodeAttribute()
    user_id = UnicodeAttribute()

    @staticmethod
    def key(subscription_id: str) -> tuple[str, str]:
        return f"SUBSCRIPTION#{subscription_id}", "SUBSCRIPTION"


class Wallet(PricingItem):
    """A member's entitlements in one item, so a booking reads them with its session and takes a
    credit in the same transaction as the seat: `entitlements` maps entitlement id → its state."""

    user_id = UnicodeAttribute()
    entitlements = MapAttribute[str, Any](default=dict)

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", "WALLET"


class LateCancels(PricingItem):
    """A member's late cancellations in a month (the policy's free ones come first)."""

    count = NumberAttribute(default=0)

    @staticmethod
    def key(user_id: str, month: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", f"LATE#{month}"


class ExpiryMarker(PricingItem):
    """A class pack's expiry, for the schedule that ends it: pk `EXPIRES`, sk `<at>#<user>#<id>`."""

    user_id = UnicodeAttribute()
    entitlement_id = UnicodeAttribute()

    @staticmethod
    def key(expires_at: str, user_id: str, entitlement_id: str) -> tuple[str, str]:
        return "EXPIRES", f"{expires_at}#{user_id}#{entitlement_id}"


class PromoCode(PricingItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    code = UnicodeAttribute()
    percent_off = NumberAttribute(null=True)
    amount_off_cents = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)  # of an amount off
    product_ids = ListAttribute(of=UnicodeAttribute, default=list)  # empty = every product
    valid_from = UnicodeAttribute(null=True)
    valid_until = UnicodeAttribute(null=True)
    max_redemptions = NumberAttribute(null=True)
    max_per_member = NumberAttribute(default=1)
    redeemed = NumberAttribute(default=0)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(code: str) -> tuple[str, str]:
        return f"PROMO#{code.upper()}", "PROMO"


class Redemptions(PricingItem):
    """How often a member has redeemed a code (pending purchases included)."""

    count = NumberAttribute(default=0)

    @staticmethod
    def key(code: str, user_id: str) -> tuple[str, str]:
        return f"PROMO#{code.upper()}", f"MEMBER#{user_id}"


class Policy(PricingItem):
    late_cancel_fee_cents = NumberAttribute(default=0)
    no_show_fee_cents = NumberAttribute(default=0)
    currency = UnicodeAttribute(default="usd")
    free_late_cancels_per_month = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)

    @staticmethod
    def key() -> tuple[str, str]:
        return "POLICY", "CANCELLATION"


class Penalty(PricingItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    penalty_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    reason = UnicodeAttribute()  # late_cancel | no_show
    entitlement_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # the entitlement's: membership | class_pack
    # excused (a free late cancel) | credit_forfeited | charging → charged / owed | waived
    status = UnicodeAttribute()
    fee_cents = NumberAttribute(default=0)
    currency = UnicodeAttribute()
    payment_intent_id = UnicodeAttribute(null=True)
    failure = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(penalty_id: str) -> tuple[str, str]:
        return f"PENALTY#{penalty_id}", "PENALTY"
