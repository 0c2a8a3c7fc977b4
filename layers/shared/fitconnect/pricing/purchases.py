"""Buying a product, and Stripe's word on it becoming (or ceasing to be) an entitlement.

- a purchase: pk `PURCHASE#<purchase_id>`, sk `PURCHASE`; gsi1 `MEMBER#<user_id>` /
  `<created_at>#<purchase_id>`. Its entitlement has the same id, in the member's wallet;
- a subscription's purchase: pk `SUBSCRIPTION#<subscription_id>`, sk `SUBSCRIPTION`.

A class pack is one PaymentIntent (metadata `purchase_id`); a membership a Stripe Subscription on
the member's card (`payment_method`, collected by Stripe.js), whose first invoice Stripe charges at
once. Nothing is granted on the request: the entitlement starts when the signed webhook says paid,
in one transaction with the purchase's `pending_payment → paid` (so once, however often Stripe
delivers it). Each paid subscription invoice opens the period its subscription line states and
resets the allowance, once (the period end only moves forward); a failed one suspends the
membership; `customer.subscription.deleted` ends it. A promo code's discount is taken off the
pack's intent, or off the membership's first invoice as a pending negative invoice item (Stripe
adds a customer's pending items to a new subscription's first invoice).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from pydantic import Field, StringConstraints
from pynamodb.exceptions import TransactWriteError

from fitconnect.payments import public as payments
from fitconnect.platform import clock, ids
from fitconnect.platform.contract import ItemId, RequestBody, View
from fitconnect.platform.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.observability import logger, metrics
from fitconnect.platform.storage import (
    cancelled_because,
    conditional_save,
    get_item,
    plain_map,
    transact_write,
)
from fitconnect.pricing import catalog, promos
from fitconnect.pricing.entitlements import change_when, entries, wallet_of
from fitconnect.pricing.models import ExpiryMarker, Product, Purchase, SubscriptionLink, Wallet
from fitconnect.pricing.promos import Code

ATTEMPTS = 20  # a hot promo code: each lost race re-reads and tries again


class PurchaseRequest(RequestBody):
    product_id: ItemId
    promo_code: Code | None = None
    payment_method: Annotated[str, StringConstraints(pattern=r"^pm_[A-Za-z0-9_]{1,100}$")] | None = Field(
        default=None, description="A membership: the card Stripe.js collected (pm_…), charged each period."
    )


class PurchasePayment(View):
    provider: str
    payment_intent_id: str | None
    subscription_id: str | None
    client_secret: str | None


class PurchaseView(View):
    purchase_id: str
    product_id: str
    kind: str
    name: str
    status: str = Field(description="pending_payment | paid | failed | canceled")
    amount_cents: int
    discount_cents: int
    currency: str
    promo_code: str | None
    payment: PurchasePayment
    created_at: str
    paid_at: str | None


class PurchaseEvent(DomainEvent):
    source = "fitconnect.pricing"
    purchase_id: str
    user_id: str
    product_id: str
    kind: str
    amount_cents: int
    currency: str


class PurchaseCompleted(PurchaseEvent):
    detail_type = "PurchaseCompleted"
    name: str


class RenewalPaid(PurchaseEvent):
    detail_type = "RenewalPaid"
    period_end: str


class MembershipSuspended(PurchaseEvent):
    detail_type = "MembershipSuspended"
    name: str


def view(purchase: Purchase) -> dict[str, Any]:
    product = plain_map(purchase.product)
    return {
        "purchase_id": purchase.purchase_id,
        "product_id": purchase.product_id,
        "kind": product["kind"],
        "name": product["name"],
        "status": purchase.status,
        "amount_cents": int(purchase.amount_cents),
        "discount_cents": int(purchase.discount_cents or 0),
        "currency": purchase.currency,
        "promo_code": purchase.promo_code,
        "payment": {
            "provider": "stripe",
            "payment_intent_id": purchase.payment_intent_id,
            "subscription_id": purchase.subscription_id,
            "client_secret": purchase.client_secret,
        },
        "created_at": purchase.created_at,
        "paid_at": purchase.paid_at,
    }


# -- buying


def buy(user_id: str, request: PurchaseRequest) -> Purchase:
    product = catalog.product_of(request.product_id, for_sale=True)
    if product.kind == "membership" and not request.payment_method:
        raise Unprocessable(
            "A membership renews on a saved card: give the payment_method Stripe.js created.",
            code="payment_method_required",
        )
    if product.kind == "membership" and _holds_membership(user_id, product.product_id):
        raise Conflict("You already hold this membership.", code="already_member")
    purchase = _recorded(user_id, product, request)
    try:
        if int(purchase.amount_cents) == 0:
            grant(purchase, clock.now_iso())  # a 100 % code: nothing to pay
        elif product.kind == "class_pack":
            _start_intent(purchase)
        else:
            _start_subscription(purchase, product, str(request.payment_method))
    except ServiceUnavailable:
        end_unpaid(purchase.purchase_id, "failed")
        raise
    return get_item(Purchase, Purchase.key(purchase.purchase_id), consistent=True)


def _holds_membership(user_id: str, product_id: str) -> bool:
    return any(
        entry["product_id"] == product_id and entry["status"] in ("active", "suspended")
        for entry in entries(wallet_of(user_id, consistent=True)).values()
    )


def _recorded(user_id: str, product: Product, request: PurchaseRequest) -> Purchase:
    """The pending purchase, written with its promo redemption in one transaction."""
    for _attempt in range(ATTEMPTS):
        now = clock.now()
        discount = promos.quote(request.promo_code, product, user_id, now) if request.promo_code else None
        purchase = _new_purchase(user_id, product, discount, clock.to_iso(now))
        try:
            with transact_write() as transaction:
                transaction.save(purchase, condition=Purchase.pk.does_not_exist())
                if discount is not None:
                    promos.redeem(transaction, discount, user_id)
        except TransactWriteError as error:
            if cancelled_because(error) & {"ConditionalCheckFailed", "TransactionConflict"}:
                continue  # the code's counters moved: quote again (it may be used up now)
            raise
        return purchase
    raise Conflict("That promo code is in demand right now; try again.", code="busy")


def _new_purchase(user_id: str, product: Product, discount: promos.Discount | None, now: str) -> Purchase:
    purchase_id = ids.new_id()
    discount_cents = discount.cents if discount else 0
    amount = int(product.price_cents) - discount_cents
    if 0 < amount < 50:
        amount = 50  # Stripe's smallest charge; the discount gives way
        discount_cents = int(product.price_cents) - amount
    return Purchase(
        *Purchase.key(purchase_id),
        gsi1pk=f"MEMBER#{user_id}",
        gsi1sk=f"{now}#{purchase_id}",
        purchase_id=purchase_id,
        user_id=user_id,
        product_id=product.product_id,
        product=catalog.view(product) | {"stripe_plan_id": product.stripe_plan_id},
        amount_cents=amount,
        discount_cents=discount_cents,
        currency=product.currency,
        promo_code=discount.code if discount else None,
        status="pending_payment",
        created_at=now,
    )


def _start_intent(purchase: Purchase) -> None:
    try:
        intent = payments.stripe_client().v1.payment_intents.create(
            params={
                "amount": int(purchase.amount_cents),
                "currency": purchase.currency,
                "customer": payments.customer_id_of(purchase.user_id),
                "payment_method_types": ["card"],
                "metadata": {"purchase_id": purchase.purchase_id, "user_id": purchase.user_id},
            },
            options=payments.idempotent(f"purchase-{purchase.purchase_id}"),
        )
    except payments.stripe_error() as error:
        raise payments.unavailable(error, "purchase") from None
    purchase.update(
        actions=[
            Purchase.payment_intent_id.set(intent.id),
            Purchase.client_secret.set(intent.client_secret),
        ]
    )


def _start_subscription(purchase: Purchase, product: Product, payment_method: str) -> None:
    """The card becomes the customer's default, the discount a pending credit, then the subscription:
    Stripe invoices and charges its first period at once. The link to the subscription is written
    before Stripe can send the invoice's webhook about it (it is created after we hear back, so the
    consumer retries the event until the link exists)."""
    stripe = payments.stripe_client()
    key = f"purchase-{purchase.purchase_id}"
    try:
        customer = payments.customer_id_of(purchase.user_id)
        stripe.v1.payment_methods.attach(
            payment_method, params={"customer": customer}, options=payments.idempotent(f"{key}-card")
        )
        stripe.v1.customers.update(
            customer, params={"invoice_settings": {"default_payment_method": payment_method}}
        )
        if int(purchase.discount_cents or 0):
            stripe.v1.invoice_items.create(
                params={
                    "customer": customer,
                    "amount": -int(purchase.discount_cents),
                    "currency": purchase.currency,
                    "description": f"Promo code {purchase.promo_code}",
                },
                options=payments.idempotent(f"{key}-discount"),
            )
        subscription = stripe.v1.subscriptions.create(
            params={
                "customer": customer,
                "items": [{"plan": product.stripe_plan_id}],
                "metadata": {"purchase_id": purchase.purchase_id, "user_id": purchase.user_id},
            },
            options=payments.idempotent(f"{key}-subscription"),
        )
    except payments.stripe_error() as error:
        raise _card_refused(error) or payments.unavailable(error, "purchase") from None
    SubscriptionLink(
        *SubscriptionLink.key(subscription.id), purchase_id=purchase.purchase_id, user_id=purchase.user_id
    ).save()
    purchase.update(
        actions=[
            Purchase.subscription_id.set(subscription.id),
            Purchase.payment_method.set(payment_method),
            Purchase.client_secret.set(_first_invoice_secret(stripe, subscription)),
        ]
    )


def _card_refused(error: Exception) -> Unprocessable | None:
    """The member's card is the problem (declined, or no such payment method): a 422 they can fix."""
    status = getattr(error, "http_status", None)
    if status == 402:
        return Unprocessable("The card was declined.", code="card_declined")
    if status == 404:
        return Unprocessable("Stripe knows no such payment method.", code="payment_method_invalid")
    return None


def _first_invoice_secret(stripe: Any, subscription: Any) -> str | None:
    """The first invoice's client secret, for a card that needs 3-D Secure (None once it is paid).
    Stripe's 2025 API versions give it as the invoice's `confirmation_secret`; older ones (and
    localstripe) through the invoice's PaymentIntent."""
    invoice_id = payments.id_of(_field(subscription, "latest_invoice"))
    if not invoice_id:
        return None
    invoice = stripe.v1.invoices.retrieve(invoice_id)
    if _field(invoice, "status") == "paid":
        return None
    confirmation = _field(invoice, "confirmation_secret")
    if confirmation:
        return str(_field(confirmation, "client_secret"))
    intent_id = payments.id_of(_field(invoice, "payment_intent"))
    return str(stripe.v1.payment_intents.retrieve(intent_id).client_secret) if intent_id else None


def _field(stripe_object: Any, name: str) -> Any:
    """A field of a StripeObject, or None where this API version (or localstripe) has none."""
    try:
        return stripe_object[name]
    except KeyError:
        return None


# -- Stripe's word (the webhook consumer calls these; each is safe to repeat)


def grant(purchase: Purchase, paid_at: str, period: tuple[str, str] | None = None) -> bool:
    """Paid: the entitlement starts, in one transaction with `pending_payment → paid`. False when
    it had already (a redelivery)."""
    entry = _new_entitlement(purchase, paid_at, period)
    wallet = Wallet(*Wallet.key(purchase.user_id), user_id=purchase.user_id, entitlements={})
    conditional_save(wallet, Wallet.pk.does_not_exist())  # a first purchase: the map to write into
    try:
        with transact_write() as transaction:
            transaction.update(
                purchase,
                actions=[Purchase.status.set("paid"), Purchase.paid_at.set(paid_at)],
                condition=Purchase.status == "pending_payment",
            )
            transaction.update(
                wallet,
                actions=[Wallet.entitlements[purchase.purchase_id].set(entry)],
                condition=Wallet.entitlements.exists(),
            )
            if entry["kind"] == "class_pack":
                marker = ExpiryMarker(
                    *ExpiryMarker.key(entry["expires_at"], purchase.user_id, purchase.purchase_id),
                    user_id=purchase.user_id,
                    entitlement_id=purchase.purchase_id,
                )
                transaction.save(marker)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        current = get_item(Purchase, Purchase.key(purchase.purchase_id), consistent=True)
        if current is not None and current.status != "pending_payment":
            return False
        raise
    product = plain_map(purchase.product)
    publish([PurchaseCompleted(**_event_fields(purchase), name=str(product["name"]))])
    metrics.add_metric(name="RevenueCents", unit="Count", value=int(purchase.amount_cents))
    return True


def _new_entitlement(purchase: Purchase, paid_at: str, period: tuple[str, str] | None) -> dict[str, Any]:
    product = plain_map(purchase.product)
    entry: dict[str, Any] = {
        "entitlement_id": purchase.purchase_id,
        "purchase_id": purchase.purchase_id,
        "product_id": purchase.product_id,
        "name": product["name"],
        "kind": product["kind"],
        "session_kinds": list(product.get("session_kinds") or []),
        "status": "active",
        "revision": 0,
        "created_at": paid_at,
    }
    if product["kind"] == "class_pack":
        expires = clock.parse(paid_at) + timedelta(days=int(product["valid_days"]))
        credits = int(product["credits"])
        return entry | {
            "credits_total": credits,
            "credits_left": credits,
            "expires_at": clock.to_iso(expires),
        }
    start, end = period or (paid_at, _one_interval_after(paid_at, str(product["interval"])))
    limit = product.get("classes_per_period")
    return entry | {
        "classes_per_period": int(limit) if limit is not None else None,
        "classes_used": 0,
        "period_start": start,
        "period_end": end,
        "cancel_at_period_end": False,
        "frozen_from": None,
        "frozen_until": None,
        "subscription_id": purchase.subscription_id,
    }


def _one_interval_after(start: str, interval: str) -> str:
    moment = clock.parse(start)
    if interval == "year":
        return clock.to_iso(moment.replace(year=moment.year + 1))
    month = moment.month % 12 + 1
    year = moment.year + (moment.month == 12)
    day = min(moment.day, 28)  # a month from the 31st is not a date; Stripe anchors alike
    return clock.to_iso(moment.replace(year=year, month=month, day=day))


def end_unpaid(purchase_id: str, status: str) -> bool:
    """An unpaid purchase ends (`failed` / `canceled`); its promo redemption is given back, once."""
    purchase = get_item(Purchase, Purchase.key(purchase_id), consistent=True)
    if purchase is None or purchase.status != "pending_payment":
        return False
    try:
        with transact_write() as transaction:
            transaction.update(
                purchase,
                actions=[Purchase.status.set(status)],
                condition=Purchase.status == "pending_payment",
            )
            if purchase.promo_code:
                promos.give_back(transaction, purchase.promo_code, purchase.user_id)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def on_intent_succeeded(intent: dict[str, Any]) -> str:
    purchase = _purchase_of(intent)
    if purchase is None:
        return "unknown"
    return "granted" if grant(purchase, clock.now_iso()) else "already_granted"


def on_intent_canceled(intent: dict[str, Any]) -> str:
    purchase = _purchase_of(intent)
    if purchase is None:
        return "unknown"
    return "canceled" if end_unpaid(purchase.purchase_id, "canceled") else "unchanged"


def _purchase_of(intent: dict[str, Any]) -> Purchase | None:
    purchase_id = (intent.get("metadata") or {}).get("purchase_id")
    purchase = get_item(Purchase, Purchase.key(str(purchase_id)), consistent=True) if purchase_id else None
    if purchase is None or purchase.payment_intent_id != intent.get("id"):
        logger.warning("purchase intent not ours", extra={"payment_intent_id": intent.get("id")})
        return None
    return purchase


def subscription_of_invoice(invoice: dict[str, Any]) -> str | None:
    """The invoice's subscription (top level before Stripe's 2025 API versions, under `parent` since)."""
    parent = (invoice.get("parent") or {}).get("subscription_details") or {}
    return payments.id_of(invoice.get("subscription") or parent.get("subscription"))


def _period_of(invoice: dict[str, Any]) -> tuple[str, str] | None:
    """The service period of the invoice's subscription line (an invoice's own period_start/end
    is the one before, for a renewal)."""
    lines = ((invoice.get("lines") or {}).get("data")) or []
    periods = [line["period"] for line in lines if line.get("type") == "subscription" and line.get("period")]
    if not periods:
        return None
    start = min(int(period["start"]) for period in periods)
    end = max(int(period["end"]) for period in periods)
    return clock.to_iso(clock.from_epoch(start)), clock.to_iso(clock.from_epoch(end))


def _link_of(invoice: dict[str, Any]) -> tuple[SubscriptionLink | None, str | None]:
    subscription_id = subscription_of_invoice(invoice)
    if not subscription_id:
        return None, None
    return get_item(SubscriptionLink, SubscriptionLink.key(subscription_id), consistent=True), subscription_id


def on_invoice_paid(invoice: dict[str, Any]) -> str:
    """The first invoice starts the membership; each later one opens its period (once)."""
    link, subscription_id = _link_of(invoice)
    if subscription_id is None:
        return "ignored"
    if link is None:
        # Our request that made the subscription may not have written its link yet: fail, so the
        # queue delivers the event again in a moment (a subscription not ours ends in the DLQ).
        raise LookupError(f"no purchase for subscription {subscription_id} (yet)")
    purchase = get_item(Purchase, Purchase.key(link.purchase_id), consistent=True)
    period = _period_of(invoice)
    if purchase.status == "pending_payment":
        grant(purchase, clock.now_iso(), period)
        return "granted"
    return _renew(purchase, period, int(invoice.get("amount_paid") or 0))


def _renew(purchase: Purchase, period: tuple[str, str] | None, amount_paid: int) -> str:
    if period is None:
        return "no_period"
    _entry, fields = change_when(purchase.user_id, purchase.purchase_id, lambda entry: _opened(entry, period))
    if fields is None:
        return "already_renewed"
    publish([RenewalPaid(**_event_fields(purchase, amount_paid), period_end=period[1])])
    metrics.add_metric(name="RevenueCents", unit="Count", value=amount_paid)
    return "renewed"


def _opened(entry: dict[str, Any], period: tuple[str, str]) -> dict[str, Any] | None:
    """The fields of a renewal into `period` (None once the membership has reached it)."""
    if str(entry["period_end"]) >= period[1]:
        return None
    fields: dict[str, Any] = {"period_start": period[0], "period_end": period[1], "classes_used": 0}
    if entry["status"] == "suspended":
        fields["status"] = "active"
    return fields


def on_invoice_failed(invoice: dict[str, Any]) -> str:
    """A renewal the card did not pay: the membership is suspended (Stripe retries the invoice;
    a later paid invoice reopens it)."""
    link, _subscription_id = _link_of(invoice)
    if link is None:
        return "ignored"
    purchase = get_item(Purchase, Purchase.key(link.purchase_id), consistent=True)
    if purchase.status == "pending_payment":
        end_unpaid(purchase.purchase_id, "failed")  # the first payment failed: nothing started
        return "failed"
    entry, fields = change_when(
        purchase.user_id,
        purchase.purchase_id,
        lambda entry: {"status": "suspended"} if entry["status"] == "active" else None,
    )
    if fields is None:
        return "unchanged"
    amount_due = int(invoice.get("amount_due") or 0)
    publish([MembershipSuspended(**_event_fields(purchase, amount_due), name=str(entry["name"]))])
    return "suspended"


def on_subscription_deleted(subscription: dict[str, Any]) -> str:
    """Stripe ended the subscription (at the period end the member chose, or unpaid): it ends here."""
    link = get_item(SubscriptionLink, SubscriptionLink.key(str(subscription.get("id"))), consistent=True)
    if link is None:
        return "ignored"
    try:
        _entry, fields = change_when(
            link.user_id,
            link.purchase_id,
            lambda entry: (
                None
                if entry["status"] == "cancelled"
                else {"status": "cancelled", "ended_at": clock.now_iso()}
            ),
        )
    except NotFound:  # never granted (the first payment failed): nothing to end
        return "unchanged"
    return "unchanged" if fields is None else "cancelled"


def _event_fields(purchase: Purchase, amount_cents: int | None = None) -> dict[str, Any]:
    product = plain_map(purchase.product)
    return {
        "purchase_id": purchase.purchase_id,
        "user_id": purchase.user_id,
        "product_id": purchase.product_id,
        "kind": str(product["kind"]),
        "amount_cents": int(purchase.amount_cents) if amount_cents is None else amount_cents,
        "currency": purchase.currency,
    }


def of_member(user_id: str) -> list[Purchase]:
    return list(Purchase.gsi1.query(f"MEMBER#{user_id}", scan_index_forward=False))


def purchase_of(purchase_id: str) -> Purchase | None:
    return get_item(Purchase, Purchase.key(purchase_id), consistent=True)
