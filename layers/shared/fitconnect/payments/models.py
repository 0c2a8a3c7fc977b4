"""The payments context's items, all in the payments table (`PAYMENTS_TABLE`); the module that works
with an item documents its keys."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from fitconnect.platform.storage import ContextItem, gsi1_index, table_meta

TABLE_ENV = "PAYMENTS_TABLE"


class PaymentsItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class Customer(PaymentsItem):
    user_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"CUSTOMER#{user_id}", "CUSTOMER"


class Payment(PaymentsItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    amount_cents = NumberAttribute()
    currency = UnicodeAttribute()
    # requires_payment → succeeded → partially_refunded / refunded; or failed / canceled
    status = UnicodeAttribute()
    provider = UnicodeAttribute(default="stripe")
    payment_intent_id = UnicodeAttribute()
    client_secret = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    refunded_cents = NumberAttribute(default=0)
    refunds = MapAttribute[str, Any](default=dict)
    paid_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(payment_id: str) -> tuple[str, str]:
        return f"PAYMENT#{payment_id}", "PAYMENT"


class OpenPayment(PaymentsItem):
    payment_id = UnicodeAttribute()

    @staticmethod
    def key(created_at: str, payment_id: str) -> tuple[str, str]:
        return "OPEN", f"{created_at}#{payment_id}"
