"""Pricing options over HTTP on the local runtime, with localstripe and real signed webhooks: class
packs and memberships bought, classes booked on them in the seat's transaction, credits given back
once, renewals, suspensions, freezes, promo codes and penalties under concurrency."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from tests.support.local import archived, eventually
from tests.support.payments import pay, signed_delivery


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def new_product(api, admin, **fields):
    body = {"name": f"Product {uuid.uuid4().hex[:6]}", "currency": "usd", **fields}
    reply = api.post("/admin/products", body, token=admin)
    assert reply.status == 201, reply.body
    return reply.body


def pack(api, admin, credits=5, **fields):
    terms = {"kind": "class_pack", "price_cents": 5000, "credits": credits, "valid_days": 60, **fields}
    return new_product(api, admin, **terms)


def membership(api, admin, **fields):
    return new_product(api, admin, kind="membership", price_cents=9900, interval="month", **fields)


def entitlements(api, member):
    return api.get("/me/entitlements", token=member["access_token"]).body["items"]


def the_entitlement(api, member, purchase_id):
    return next((e for e in entitlements(api, member) if e["entitlement_id"] == purchase_id), None)


def bought_pack(api, stripe, member, product, **body):
    reply = api.post(
        "/me/purchases", {"product_id": product["product_id"], **body}, token=member["access_token"]
    )
    assert reply.status == 201, reply.body
    purchase = reply.body
    assert purchase["status"] == "pending_payment"
    pay(stripe, purchase["payment"])
    assert eventually(lambda: the_entitlement(api, member, purchase["purchase_id"]) is not None)
    return purchase


def bought_membership(api, member, product, card="pm_card_visa"):
    body = {"product_id": product["product_id"], "payment_method": card}
    reply = api.post("/me/purchases", body, token=member["access_token"])
    assert reply.status == 201, reply.body
    assert reply.body["payment"]["subscription_id"].startswith("sub_")
    assert eventually(lambda: the_entitlement(api, member, reply.body["purchase_id"]) is not None)
    return reply.body


def paid_class(api, trainer, *, starts_in=timedelta(days=10), **changes):
    return api.new_session(
        trainer, starts_in=starts_in, **{"title": "Paid HIIT", "price_cents": 2000, **changes}
    )


def book(api, member, session_id, **body):
    reply = api.post(f"/sessions/{session_id}/bookings", body or None, token=member["access_token"])
    assert reply.status == 201, reply.body
    return reply.body


def test_products_are_for_sale_until_archived_and_only_admins_make_them(api, admin):
    member = api.member()
    refused = api.post(
        "/admin/products",
        {
            "kind": "class_pack",
            "name": "x",
            "price_cents": 100,
            "currency": "usd",
            "credits": 1,
            "valid_days": 1,
        },
        token=member["access_token"],
    )
    assert refused.status == 403
    incomplete = api.post(
        "/admin/products",
        {"kind": "class_pack", "name": "x", "price_cents": 100, "currency": "usd"},
        token=admin,
    )
    assert incomplete.status == 400
    product = pack(api, admin)
    on_sale = [p["product_id"] for p in api.get("/products").body["items"]]
    assert product["product_id"] in on_sale
    archived_product = api.patch(
        f"/admin/products/{product['product_id']}", {"status": "archived"}, token=admin
    )
    assert archived_product.body["status"] == "archived"
    assert product["product_id"] not in [p["product_id"] for p in api.get("/products").body["items"]]
    bought = api.post("/me/purchases", {"product_id": product["product_id"]}, token=member["access_token"])
    assert (bought.status, bought.error_code) == (404, "product_not_found")


def test_a_pack_covers_five_classes_then_the_sixth_asks_for_a_card(api, admin, stripe, trainer):
    member = api.member()
    purchase = bought_pack(api, stripe, member, pack(api, admin, credits=5))
    entitlement = the_entitlement(api, member, purchase["purchase_id"])
    assert (entitlement["status"], entitlement["credits_left"], entitlement["credits_total"]) == (
        "active",
        5,
        5,
    )

    covered = [book(api, member, paid_class(api, trainer)) for _ in range(5)]
    assert {b["status"] for b in covered} == {"confirmed"}
    assert all(
        b["covered_by"] == {"entitlement_id": purchase["purchase_id"], "kind": "class_pack"} for b in covered
    )
    assert all("payment" not in b for b in covered)
    assert the_entitlement(api, member, purchase["purchase_id"])["credits_left"] == 0

    sixth = book(api, member, paid_class(api, trainer))
    assert sixth["status"] == "pending_payment"
    assert sixth["payment"]["payment_intent_id"].startswith("pi_")
    assert "covered_by" not in sixth
    assert (
        api.get("/me/payments", token=member["access_token"]).body["items"][0]["booking_id"]
        == sixth["booking_id"]
    )


def test_the_purchase_event_delivered_again_grants_nothing_more(
    api, admin, stripe, stripe_settings, platform
):
    member = api.member()
    purchase = bought_pack(api, stripe, member, pack(api, admin, credits=3))
    intent = stripe.v1.payment_intents.retrieve(purchase["payment"]["payment_intent_id"])
    event = {
        "id": f"evt_again_{purchase['purchase_id']}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {
            "object": {"id": intent.id, "object": "payment_intent", "metadata": intent.metadata.to_dict()}
        },
    }
    for _ in range(3):
        assert signed_delivery(api, stripe_settings, event).status == 200
    assert eventually(lambda: archived(platform, "PurchaseCompleted", purchase["purchase_id"]), timeout_s=20)
    time.sleep(2)  # the redeliveries have had their chance too
    [entitlement] = entitlements(api, member)
    assert entitlement["credits_left"] == 3
    assert len(archived(platform, "PurchaseCompleted", purchase["purchase_id"])) == 1


def test_cancelling_in_time_gives_the_credit_back_once_and_late_forfeits_it(api, admin, stripe, trainer):
    member = api.member()
    purchase = bought_pack(api, stripe, member, pack(api, admin, credits=2))
    early = book(api, member, paid_class(api, trainer))
    late = book(
        api, member, paid_class(api, trainer, starts_in=timedelta(hours=2), cancellation_window_min=180)
    )
    assert the_entitlement(api, member, purchase["purchase_id"])["credits_left"] == 0

    cancelled = api.delete(f"/bookings/{early['booking_id']}", token=member["access_token"])
    again = api.delete(f"/bookings/{early['booking_id']}", token=member["access_token"])
    assert (cancelled.status, again.status) == (200, 409)
    assert cancelled.body["refund"] is None  # nothing was paid by card
    assert the_entitlement(api, member, purchase["purchase_id"])["credits_left"] == 1

    assert api.delete(f"/bookings/{late['booking_id']}", token=member["access_token"]).status == 200
    [penalty] = eventually(lambda: api.get("/me/penalties", token=member["access_token"]).body["items"])
    assert (penalty["booking_id"], penalty["reason"], penalty["status"]) == (
        late["booking_id"],
        "late_cancel",
        "credit_forfeited",
    )
    assert the_entitlement(api, member, purchase["purchase_id"])["credits_left"] == 1
    assert eventually(lambda: api.emails_to(member, "Late cancellation"), timeout_s=20)

    waived = api.post(f"/admin/penalties/{penalty['penalty_id']}/waive", token=admin)
    assert (waived.status, waived.body["status"]) == (200, "waived")
    assert api.post(f"/admin/penalties/{penalty['penalty_id']}/waive", token=admin).body["status"] == "waived"
    assert the_entitlement(api, member, purchase["purchase_id"])["credits_left"] == 2  # once, not twice


def test_the_months_free_late_cancel_is_excused(api, admin, stripe, trainer):
    policy = {
        "late_cancel_fee_cents": 0,
        "no_show_fee_cents": 0,
        "currency": "usd",
        "free_late_cancels_per_month": 1,
    }
    assert api.put("/admin/policies/cancellation", policy, token=admin).status == 200
    try:
        member = api.member()
        purchase = bought_pack(api, stripe, member, pack(api, admin, credits=2))
        late = [
            book(
                api,
                member,
                paid_class(api, trainer, starts_in=timedelta(hours=2), cancellation_window_min=180),
            )
            for _ in range(2)
        ]
        for booking in late:
            api.delete(f"/bookings/{booking['booking_id']}", token=member["access_token"])
        penalties = eventually(
            lambda: (
                (found := api.get("/me/penalties", token=member["access_token"]).body["items"])
                and len(found) == 2
                and found
            )
        )
        assert sorted(p["status"] for p in penalties) == ["credit_forfeited", "excused"]
        assert the_entitlement(api, member, purchase["purchase_id"])["credits_left"] == 1
    finally:
        policy["free_late_cancels_per_month"] = 0
        api.put("/admin/policies/cancellation", policy, token=admin)


def weekly_paid_classes(api, trainer, count, first_in):
    """`count` weekly paid classes of the trainer, published as one series (one request)."""
    starts_at = (datetime.now(UTC) + first_in).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    body = {
        "title": "Paid HIIT",
        "starts_at": starts_at,
        "duration_min": 45,
        "capacity": 2,
        "price_cents": 2000,
    }
    body |= {"currency": "usd", "kind": "in_person", "location": "Studio 1"}
    reply = api.post(
        "/sessions", {**body, "recurrence": {"freq": "weekly", "count": count}}, token=trainer["access_token"]
    )
    assert reply.status == 201, reply.body
    return [session["session_id"] for session in reply.body["items"]]


def test_one_member_booking_100_classes_at_once_spends_exactly_the_5_credits(api, admin, stripe, trainer):
    member = api.member()
    purchase = bought_pack(api, stripe, member, pack(api, admin, credits=5, valid_days=400))
    sessions = weekly_paid_classes(api, trainer, 50, timedelta(days=1))
    sessions += weekly_paid_classes(api, trainer, 50, timedelta(days=1, hours=2))

    def attempt(session_id):
        return api.post(
            f"/sessions/{session_id}/bookings", {"pay_with": "auto"}, token=member["access_token"]
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        replies = list(pool.map(attempt, sessions))

    assert {reply.status for reply in replies} == {201}
    covered = [r.body for r in replies if r.body.get("covered_by")]
    assert len(covered) == 5
    assert {r.body["status"] for r in replies if not r.body.get("covered_by")} == {"pending_payment"}
    assert the_entitlement(api, member, purchase["purchase_id"])["credits_left"] == 0


def test_a_membership_covers_classes_renews_once_and_is_suspended_by_a_failed_renewal(
    api, admin, trainer, stripe_settings, platform
):
    member = api.member()
    product = membership(api, admin, classes_per_period=2)
    purchase = bought_membership(api, member, product)
    entitlement = the_entitlement(api, member, purchase["purchase_id"])
    assert (entitlement["kind"], entitlement["status"], entitlement["classes_left_this_period"]) == (
        "membership",
        "active",
        2,
    )
    first = [book(api, member, paid_class(api, trainer)) for _ in range(2)]
    assert all(b["covered_by"]["kind"] == "membership" for b in first)
    assert book(api, member, paid_class(api, trainer))["status"] == "pending_payment"  # allowance used

    period_end = datetime.fromisoformat(entitlement["period_end"].replace("Z", "+00:00"))
    next_end = period_end + timedelta(days=30)
    renewal = invoice_event(
        f"evt_renew_{purchase['purchase_id']}",
        "invoice.payment_succeeded",
        purchase["payment"]["subscription_id"],
        period_end,
        next_end,
    )
    for _ in range(2):
        assert signed_delivery(api, stripe_settings, renewal).status == 200
    renewed = eventually(
        lambda: (
            (e := the_entitlement(api, member, purchase["purchase_id"]))["period_end"]
            != entitlement["period_end"]
            and e
        )
    )
    assert renewed["period_end"].startswith(next_end.strftime("%Y-%m-%dT%H:%M"))
    assert renewed["classes_left_this_period"] == 2  # the allowance starts again
    assert len(eventually(lambda: archived(platform, "RenewalPaid", purchase["purchase_id"]))) == 1

    failed = invoice_event(
        f"evt_fail_{purchase['purchase_id']}",
        "invoice.payment_failed",
        purchase["payment"]["subscription_id"],
        next_end,
        next_end + timedelta(days=30),
    )
    assert signed_delivery(api, stripe_settings, failed).status == 200
    assert eventually(lambda: the_entitlement(api, member, purchase["purchase_id"])["status"] == "suspended")
    assert book(api, member, paid_class(api, trainer))["status"] == "pending_payment"


def invoice_event(event_id, event_type, subscription_id, start, end):
    """An invoice event as Stripe sends it for a subscription's period (localstripe renews nothing)."""
    line = {"type": "subscription", "period": {"start": int(start.timestamp()), "end": int(end.timestamp())}}
    invoice = {
        "id": f"in_{event_id}",
        "object": "invoice",
        "subscription": subscription_id,
        "amount_paid": 9900,
        "amount_due": 9900,
        "lines": {"object": "list", "data": [line]},
    }
    return {"id": event_id, "object": "event", "type": event_type, "data": {"object": invoice}}


def test_a_frozen_membership_covers_nothing_in_its_dates_and_ends_later(api, admin, trainer):
    member = api.member()
    purchase = bought_membership(api, member, membership(api, admin))
    before = the_entitlement(api, member, purchase["purchase_id"])
    start = date.today() + timedelta(days=3)
    freeze = {"from": start.isoformat(), "until": (start + timedelta(days=7)).isoformat()}
    frozen = api.post(
        f"/me/entitlements/{purchase['purchase_id']}/freeze", freeze, token=member["access_token"]
    )
    assert frozen.status == 200, frozen.body
    moved = datetime.fromisoformat(frozen.body["period_end"].replace("Z", "+00:00"))
    assert moved - datetime.fromisoformat(before["period_end"].replace("Z", "+00:00")) == timedelta(days=7)

    in_freeze = paid_class(api, trainer, starts_in=timedelta(days=4, hours=2))
    after = paid_class(api, trainer, starts_in=timedelta(days=12))
    assert book(api, member, in_freeze)["status"] == "pending_payment"
    assert book(api, member, after)["status"] == "confirmed"
    backwards = {"from": (date.today() - timedelta(days=1)).isoformat(), "until": start.isoformat()}
    refused = api.post(
        f"/me/entitlements/{purchase['purchase_id']}/freeze", backwards, token=member["access_token"]
    )
    assert refused.status in (409, 422)


def test_a_promo_code_takes_20_percent_off_and_its_limits_hold_under_concurrency(api, admin, stripe):
    product = pack(api, admin, credits=10)
    code = f"SAVE{uuid.uuid4().hex[:6].upper()}"
    created = api.post(
        "/admin/promo-codes",
        {"code": code, "percent_off": 20, "max_redemptions": 10, "max_per_member": 50},
        token=admin,
    )
    assert created.status == 201, created.body
    member = api.member()

    def redeem(_):
        body = {"product_id": product["product_id"], "promo_code": code.lower()}
        return api.post("/me/purchases", body, token=member["access_token"])

    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(redeem, range(50)))

    won = [r.body for r in replies if r.status == 201]
    assert len(won) == 10
    assert {(r.status, r.error_code) for r in replies if r.status != 201} == {(422, "promo_code_invalid")}
    assert {(p["amount_cents"], p["discount_cents"]) for p in won} == {(4000, 1000)}
    intent = stripe.v1.payment_intents.retrieve(won[0]["payment"]["payment_intent_id"])
    assert intent.amount == 4000
    [listed] = [p for p in api.get("/admin/promo-codes", token=admin).body["items"] if p["code"] == code]
    assert listed["redeemed"] == 10


def test_a_no_show_on_a_membership_charges_the_fee_off_session_and_a_waiver_refunds_it(
    api, admin, stripe, trainer, clock
):
    policy = {
        "late_cancel_fee_cents": 500,
        "no_show_fee_cents": 1500,
        "currency": "usd",
        "free_late_cancels_per_month": 0,
    }
    assert api.put("/admin/policies/cancellation", policy, token=admin).status == 200
    member = api.member()
    bought_membership(api, member, membership(api, admin))
    session_id = paid_class(api, trainer, starts_in=timedelta(minutes=20), duration_min=30)
    booked = book(api, member, session_id)
    assert booked["covered_by"]["kind"] == "membership"
    clock(3600)
    assert api.post("/_local/schedules/CloseSessionsFunction").status in (200, 202)
    api.relogin(member)
    [penalty] = eventually(
        lambda: [
            p
            for p in api.get("/me/penalties", token=member["access_token"]).body["items"]
            if p["status"] == "charged"
        ],
        timeout_s=60,  # the clock's hour jump fires every schedule that fell due first
    )
    assert (penalty["reason"], penalty["fee_cents"]) == ("no_show", 1500)
    admin_token = api.login("admin@fitconnect.local", "fitconnect-demo").body["access_token"]
    charged = stripe.v1.payment_intents.retrieve(penalty["payment_intent_id"])
    assert (charged.status, charged.amount) == ("succeeded", 1500)
    waived = api.post(f"/admin/penalties/{penalty['penalty_id']}/waive", token=admin_token)
    assert (waived.status, waived.body["status"]) == (200, "waived")
    again = api.post(f"/admin/penalties/{penalty['penalty_id']}/waive", token=admin_token)
    assert again.body["status"] == "waived"
    refunds = stripe.v1.refunds.list(params={"payment_intent": penalty["payment_intent_id"]}).data
    assert [refund.amount for refund in refunds] == [1500]  # once, however often it is waived


def test_admin_pricing_routes_refuse_members(api):
    member = api.member()
    for path in ("/admin/promo-codes", "/admin/policies/cancellation"):
        assert api.get(path, token=member["access_token"]).status == 403
    assert api.post("/admin/penalties/x/waive", token=member["access_token"]).status == 403


def test_membership_needs_a_card_and_cancel_keeps_it_until_period_end(api, admin):
    member = api.member()
    product = membership(api, admin)
    no_card = api.post("/me/purchases", {"product_id": product["product_id"]}, token=member["access_token"])
    assert (no_card.status, no_card.error_code) == (422, "payment_method_required")
    purchase = bought_membership(api, member, product)
    again = api.post(
        "/me/purchases",
        {"product_id": product["product_id"], "payment_method": "pm_card_visa"},
        token=member["access_token"],
    )
    assert (again.status, again.error_code) == (409, "already_member")
    cancelled = api.post(f"/me/entitlements/{purchase['purchase_id']}/cancel", token=member["access_token"])
    assert (cancelled.status, cancelled.body["status"], cancelled.body["cancel_at_period_end"]) == (
        200,
        "active",
        True,
    )
    other = api.member()
    foreign = api.post(f"/me/entitlements/{purchase['purchase_id']}/cancel", token=other["access_token"])
    assert foreign.status == 404


def test_a_waiter_with_a_pack_is_confirmed_on_promotion_and_the_credit_taken_then(
    api, admin, stripe, trainer
):
    seated, waiter = api.member(), api.member()
    purchase = bought_pack(api, stripe, waiter, pack(api, admin, credits=2))
    session_id = paid_class(api, trainer, capacity=1)
    holder = bought_pack(api, stripe, seated, pack(api, admin, credits=1))
    first = book(api, seated, session_id)
    queued = book(api, waiter, session_id)
    assert (first["covered_by"]["entitlement_id"], queued["status"]) == (holder["purchase_id"], "waitlisted")
    assert the_entitlement(api, waiter, purchase["purchase_id"])["credits_left"] == 2  # nothing taken yet

    assert api.delete(f"/bookings/{first['booking_id']}", token=seated["access_token"]).status == 200

    promoted = api.get(f"/bookings/{queued['booking_id']}", token=waiter["access_token"]).body
    assert (promoted["status"], promoted["covered_by"]["entitlement_id"]) == (
        "confirmed",
        purchase["purchase_id"],
    )
    assert the_entitlement(api, waiter, purchase["purchase_id"])["credits_left"] == 1
    assert the_entitlement(api, seated, holder["purchase_id"])["credits_left"] == 1  # back in time


def test_the_data_export_holds_purchases_entitlements_and_penalties(api, admin, stripe):
    member = api.member()
    purchase = bought_pack(api, stripe, member, pack(api, admin))
    token = member["access_token"]
    export_id = api.post("/me/export", token=token).body["export_id"]
    ready = eventually(
        lambda: (
            (reply := api.get(f"/me/export/{export_id}", token=token).body).get("status") == "ready" and reply
        ),
        timeout_s=20,
    )
    pricing = requests.get(ready["download_url"], timeout=10).json()["pricing"]
    assert [p["purchase_id"] for p in pricing["purchases"]] == [purchase["purchase_id"]]
    assert [e["credits_left"] for e in pricing["entitlements"]] == [5]
    assert pricing["penalties"] == []


def test_a_membership_on_an_unknown_or_declined_card_is_a_422_and_grants_nothing(api, admin):
    member = api.member()
    product = membership(api, admin)
    for card, code in (
        ("pm_doesnotexist", "payment_method_invalid"),
        ("pm_card_visa_chargeDeclined", "card_declined"),
    ):
        body = {"product_id": product["product_id"], "payment_method": card}
        refused = api.post("/me/purchases", body, token=member["access_token"])
        assert (refused.status, refused.error_code) == (422, code), refused.body
    assert entitlements(api, member) == []
