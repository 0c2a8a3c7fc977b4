"""Payments through localstripe on the local runtime: a paid booking goes from `pending_payment` to
`confirmed` by a real signed webhook; replays, forgeries, expiries, declines and refunds."""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from tests.support.local import archived, aws, drained, eventually, invocations, worked_off
from tests.support.payments import pay, signed_delivery

# DynamoDB's contention on (a tenth of writes conflict): the same results must follow.
pytestmark = pytest.mark.usefixtures("contention")


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def paid_session(api, trainer, *, starts_in=timedelta(days=30), **changes):
    return api.new_session(
        trainer, starts_in=starts_in, **{"title": "Paid spin", "price_cents": 2000, **changes}
    )


def book(api, member, session_id):
    reply = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])
    assert reply.status == 201, reply.body
    return reply.body


def booking_of(api, member, booking_id):
    return api.get(f"/bookings/{booking_id}", token=member["access_token"]).body


def payments_of(api, member):
    return api.get("/me/payments", token=member["access_token"]).body["items"]


def confirmed_booking(api, stripe, trainer, **session_changes):
    member = api.member()
    session_id = paid_session(api, trainer, **session_changes)
    booked = book(api, member, session_id)
    pay(stripe, booked["payment"])
    assert eventually(lambda: booking_of(api, member, booked["booking_id"])["status"] == "confirmed")
    return member, booked


def succeeded_event(event_id, payment):
    intent = {
        "id": payment["payment_intent_id"],
        "object": "payment_intent",
        "status": "succeeded",
        "amount": payment["amount_cents"],
        "metadata": {"payment_id": payment["payment_id"], "booking_id": payment["booking_id"]},
    }
    return {"id": event_id, "object": "event", "type": "payment_intent.succeeded", "data": {"object": intent}}


def test_a_paid_booking_is_confirmed_by_the_signed_webhook(api, stripe, trainer):
    member = api.member()
    session_id = paid_session(api, trainer)
    booked = book(api, member, session_id)
    assert booked["status"] == "pending_payment"
    payment = booked["payment"]
    assert payment["provider"] == "stripe"
    assert payment["payment_intent_id"].startswith("pi_")
    assert payment["client_secret"]
    assert booking_of(api, member, booked["booking_id"])["payment"] == payment  # for a reload
    assert api.get(f"/sessions/{session_id}").body["seats_left"] == 1  # held for 15 minutes

    pay(stripe, payment)

    assert eventually(lambda: booking_of(api, member, booked["booking_id"])["status"] == "confirmed")
    [record] = eventually(lambda: [p for p in payments_of(api, member) if p["status"] == "succeeded"])
    assert (record["amount_cents"], record["currency"], record["booking_id"]) == (
        2000,
        "usd",
        booked["booking_id"],
    )
    assert record["paid_at"]
    bookings = api.get("/me/bookings", token=member["access_token"]).body["items"]
    assert [(b["booking_id"], b["status"]) for b in bookings] == [(booked["booking_id"], "confirmed")]
    assert "payment" not in booking_of(api, member, booked["booking_id"])  # nothing left to pay


def test_one_event_delivered_three_times_confirms_once_with_one_record_and_one_receipt(
    api, stripe, trainer, platform, stripe_settings
):
    member, booked = confirmed_booking(api, stripe, trainer)
    [payment] = payments_of(api, member)
    event = succeeded_event(f"evt_replay_{booked['booking_id']}", payment)

    before = invocations(api, "ApplyStripeEventsFunction")
    answers = [signed_delivery(api, stripe_settings, event) for _ in range(3)]

    assert [answer.status for answer in answers] == [200, 200, 200]
    assert eventually(
        lambda: worked_off(platform, api, "ApplyStripeEventsFunction", "StripeEventsQueue", before)
    )
    assert [p["payment_id"] for p in payments_of(api, member)] == [payment["payment_id"]]
    assert payments_of(api, member)[0]["status"] == "succeeded"
    receipts = eventually(lambda: archived(platform, "PaymentSucceeded", payment["payment_id"]), timeout_s=20)
    archiving = invocations(api, "ArchiveEventsFunction") - 1  # it has archived at least once since
    assert eventually(
        lambda: worked_off(platform, api, "ArchiveEventsFunction", "EventArchiveQueue", archiving)
    )
    assert len(archived(platform, "PaymentSucceeded", payment["payment_id"])) == len(receipts) == 1
    assert len(archived(platform, "BookingConfirmed", booked["booking_id"])) == 1

    def receipts_sent():
        items = api.get("/_local/outbox").body["items"]
        mine = [m for m in items if member["email"] in m.get("to", [])]
        return [m for m in mine if m["subject"].startswith("Receipt:")]

    [receipt] = eventually(receipts_sent, timeout_s=20)
    assert "20.00 USD" in receipt["body"]


def test_a_forged_or_missing_signature_is_400_and_changes_nothing(api, trainer, stripe_settings, platform):
    member = api.member()
    booked = book(api, member, paid_session(api, trainer))
    payment = {**booked["payment"], "amount_cents": 2000, "booking_id": booked["booking_id"]}
    event = succeeded_event("evt_forged_1", payment)

    forged = signed_delivery(api, stripe_settings, event, secret="whsec_not_the_real_one")
    unsigned = api.call("POST", "/webhooks/stripe", raw_body=json.dumps(event).encode(), headers={})

    assert (forged.status, forged.error_code) == (400, "invalid_signature")
    assert (unsigned.status, unsigned.error_code) == (400, "invalid_signature")
    # Refused at the door: nothing was queued for the consumer (a forged event never reaches it).
    assert worked_off(platform, api, "StripeWebhookFunction", "StripeEventsQueue", 0)
    assert booking_of(api, member, booked["booking_id"])["status"] == "pending_payment"
    assert payments_of(api, member)[0]["status"] == "requires_payment"


def test_an_expired_hold_releases_the_seat_cancels_the_intent_and_promotes_the_waiter(
    api, stripe, trainer, clock
):
    session_id = paid_session(api, trainer, capacity=1)
    holder, waiter = api.member(), api.member()
    held, waiting = book(api, holder, session_id), book(api, waiter, session_id)
    assert (held["status"], waiting["status"]) == ("pending_payment", "waitlisted")

    clock(16 * 60)
    api.relogin(holder, waiter)  # their access tokens expired with the clock's jump
    assert api.post("/_local/schedules/ExpireHoldsFunction").status in (200, 202)

    assert eventually(lambda: booking_of(api, holder, held["booking_id"])["status"] == "expired")
    intent_id = held["payment"]["payment_intent_id"]
    assert eventually(lambda: stripe.v1.payment_intents.retrieve(intent_id).status == "canceled")
    assert eventually(lambda: payments_of(api, holder)[0]["status"] == "canceled")
    promoted = eventually(lambda: booking_of(api, waiter, waiting["booking_id"]).get("payment"))
    assert booking_of(api, waiter, waiting["booking_id"])["status"] == "pending_payment"
    pay(stripe, promoted)  # the promoted member pays with their own new intent
    assert eventually(lambda: booking_of(api, waiter, waiting["booking_id"])["status"] == "confirmed")


def test_a_declined_card_releases_the_seat(api, stripe, trainer):
    member = api.member()
    session_id = paid_session(api, trainer, capacity=1)
    booked = book(api, member, session_id)

    pay(stripe, booked["payment"], card="pm_card_chargeCustomerFail")

    assert eventually(lambda: booking_of(api, member, booked["booking_id"])["status"] == "expired")
    assert api.get(f"/sessions/{session_id}").body["seats_left"] == 1
    # the seat is released first, the payment record follows in the same worker step (decision 18)
    assert eventually(lambda: payments_of(api, member)[0]["status"] in ("failed", "canceled"))


def test_cancelling_inside_the_window_refunds_exactly_once(api, stripe, trainer, platform):
    member, booked = confirmed_booking(api, stripe, trainer)

    cancelled = api.delete(f"/bookings/{booked['booking_id']}", token=member["access_token"]).body

    assert cancelled["refund"]["amount_cents"] == 2000
    [payment] = eventually(lambda: [p for p in payments_of(api, member) if p["status"] == "refunded"])
    assert (payment["refunded_cents"], len(payment["refunds"])) == (2000, 1)
    assert eventually(lambda: booking_of(api, member, booked["booking_id"])["refund"]["status"] == "refunded")
    # The BookingCancelled event delivered again (at-least-once) refunds nothing more.
    [event] = eventually(lambda: archived(platform, "BookingCancelled", booked["booking_id"]), timeout_s=20)
    redelivery = {"Records": [{"messageId": "again", "body": json.dumps(event), "attributes": {}}]}
    invoked = api.post("/_local/functions/PaymentTasksFunction/invoke", redelivery).body
    assert invoked["result"] == {"batchItemFailures": []}
    [again] = payments_of(api, member)
    assert (again["refunded_cents"], len(again["refunds"])) == (2000, 1)
    refunds = stripe.v1.refunds.list(params={"payment_intent": payment["payment_intent_id"]}).data
    assert [refund.amount for refund in refunds] == [2000]


def test_cancelling_after_the_window_refunds_nothing(api, stripe, trainer, platform):
    member, booked = confirmed_booking(api, stripe, trainer, starts_in=timedelta(hours=3))
    before = invocations(api, "PaymentTasksFunction")

    cancelled = api.delete(f"/bookings/{booked['booking_id']}", token=member["access_token"]).body

    assert (cancelled["status"], cancelled["refund"]) == ("cancelled", None)
    # The payments work has taken the cancellation and decided (nothing owed) before we look.
    assert eventually(lambda: worked_off(platform, api, "PaymentTasksFunction", "PaymentTasksQueue", before))
    [payment] = payments_of(api, member)
    assert (payment["status"], payment["refunded_cents"]) == ("succeeded", 0)


def test_an_admin_refunds_part_then_the_rest_and_never_more(api, stripe, trainer, admin):
    member, _booked = confirmed_booking(api, stripe, trainer)
    [payment] = payments_of(api, member)
    path = f"/admin/payments/{payment['payment_id']}/refund"
    key = {"Idempotency-Key": "refund-part-1"}

    part = api.post(path, {"amount_cents": 500}, token=admin, headers=key)
    replay = api.post(path, {"amount_cents": 500}, token=admin, headers=key)
    rest = api.post(path, {}, token=admin)
    beyond = api.post(path, {"amount_cents": 1}, token=admin)

    assert (part.status, part.body["amount_cents"], part.body["payment"]["status"]) == (
        200,
        500,
        "partially_refunded",
    )
    assert replay.body["refund_id"] == part.body["refund_id"]
    assert (rest.status, rest.body["amount_cents"], rest.body["payment"]["status"]) == (200, 1500, "refunded")
    assert (beyond.status, beyond.error_code) == (409, "already_refunded")
    assert api.post(path, {}, token=member["access_token"]).status == 403
    assert api.post("/admin/payments/pay_nope/refund", {}, token=admin).error_code == "payment_not_found"
    assert api.post(path, {"amount_cents": 0}, token=admin).status == 400
    [final] = payments_of(api, member)
    assert (final["refunded_cents"], len(final["refunds"])) == (2000, 2)

    # Each refund is told with its own amount, not the payment's.
    def refund_emails():
        found = sorted(m["subject"] for m in api.emails_to(member, "Refund"))
        return found if len(found) == 2 else None

    refunds = eventually(refund_emails, timeout_s=20)
    assert refunds == ["Refund: 15.00 USD", "Refund: 5.00 USD"]


@pytest.fixture
def webhooks_lost(platform, stripe_settings):
    """Stripe's webhooks reach an endpoint that answers 503 (an outage on our side) until the test
    ends; returns what it was sent, so a test knows Stripe tried before it relies on the loss."""
    received: list[dict] = []

    class Outage(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Outage)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def register(url):
        form = {"url": url, "secret": stripe_settings["webhook_secret"]}
        requests.post(
            f"{platform.stripe_endpoint}/_config/webhooks/StripeWebhookSecret", data=form, timeout=5
        )

    register(f"http://127.0.0.1:{server.server_address[1]}/webhooks/stripe")
    yield lambda: [event["type"] for event in received]
    register(f"{platform.api_url}/webhooks/stripe")
    server.shutdown()


def test_reconciliation_confirms_a_payment_whose_webhook_never_came(
    api, stripe, trainer, clock, webhooks_lost
):
    member = api.member()
    booked = book(api, member, paid_session(api, trainer))
    pay(stripe, booked["payment"])
    assert eventually(lambda: "payment_intent.succeeded" in webhooks_lost())  # Stripe told nobody
    assert booking_of(api, member, booked["booking_id"])["status"] == "pending_payment"

    clock(6 * 60)
    api.relogin(member)
    invoked = api.post("/_local/schedules/ReconcilePaymentsFunction").body
    assert invoked["invocations"][0]["ok"], invoked
    assert invoked["invocations"][0]["result"].get("confirmed", 0) >= 1

    assert booking_of(api, member, booked["booking_id"])["status"] == "confirmed"
    assert payments_of(api, member)[0]["status"] == "succeeded"


def test_a_payment_after_the_hold_lapsed_gets_the_seat_back_if_it_is_free(
    api, stripe, trainer, clock, webhooks_lost
):
    member = api.member()
    session_id = paid_session(api, trainer, capacity=1)
    booked = book(api, member, session_id)
    pay(stripe, booked["payment"])  # paid at the last second; the webhook is lost

    clock(16 * 60)
    api.relogin(member)
    api.post("/_local/schedules/ExpireHoldsFunction")  # expires it; cancelling the intent finds it paid

    assert eventually(
        lambda: booking_of(api, member, booked["booking_id"])["status"] == "confirmed", timeout_s=20
    )
    assert api.get(f"/sessions/{session_id}").body["seats_left"] == 0
    assert payments_of(api, member)[0]["status"] == "succeeded"


def test_a_payment_racing_its_hold_expiry_ends_with_the_seat_or_a_refund_never_both(
    api, stripe, trainer, clock, webhooks_lost, platform
):
    """Paid at the last second, webhook lost: the expiry (seat to the waiter) and the reconciliation
    (payment found at Stripe) race when the clock jumps. Either order is right — the member keeps the
    seat, or the waiter gets it and the member is refunded in full — but never both, never neither."""
    member, waiter = api.member(), api.member()
    session_id = paid_session(api, trainer, capacity=1)
    booked = book(api, member, session_id)
    waiting = book(api, waiter, session_id)
    pay(stripe, booked["payment"])

    clock(16 * 60)
    api.relogin(member, waiter)
    api.post("/_local/schedules/ExpireHoldsFunction")

    def settled():
        mine = booking_of(api, member, booked["booking_id"])["status"]
        [payment] = payments_of(api, member)
        theirs = booking_of(api, waiter, waiting["booking_id"])["status"]
        if mine == "confirmed" and payment["status"] == "succeeded" and theirs == "waitlisted":
            return "member kept the seat"
        if mine == "expired" and payment["status"] == "refunded" and theirs == "pending_payment":
            assert payment["refunds"][0]["reason"] == "seat_unavailable"
            return "waiter got the seat, member refunded"
        return None

    assert eventually(settled, timeout_s=20)
    # And it stays so once no payment work is left anywhere: no late second refund or confirmation.
    assert eventually(
        lambda: drained(platform, "PaymentTasksQueue", "StripeEventsQueue", "NotificationsQueue")
    )
    assert settled()
    [payment] = payments_of(api, member)
    assert len(payment["refunds"]) <= 1
    assert api.get(f"/sessions/{session_id}").body["seats_left"] == 0


def test_an_erased_member_is_refunded_for_future_bookings_whatever_the_window(api, stripe, trainer):
    member, booked = confirmed_booking(
        api, stripe, trainer, starts_in=timedelta(hours=3)
    )  # inside the window
    [payment] = payments_of(api, member)

    assert api.delete("/me", token=member["access_token"]).status == 202

    def roster_status():
        roster = api.get(f"/sessions/{booked['session_id']}/bookings", token=trainer["access_token"]).body[
            "items"
        ]
        return next(item["status"] for item in roster if item["booking_id"] == booked["booking_id"])

    assert eventually(lambda: roster_status() == "cancelled", timeout_s=20)
    refunds = eventually(
        lambda: stripe.v1.refunds.list(params={"payment_intent": payment["payment_intent_id"]}).data,
        timeout_s=20,
    )
    assert [refund.amount for refund in refunds] == [2000]


def test_the_data_export_includes_the_members_bookings_and_payments(api, stripe, trainer):
    member, booked = confirmed_booking(api, stripe, trainer)
    export_id = api.post("/me/export", token=member["access_token"]).body["export_id"]

    def ready():
        reply = api.get(f"/me/export/{export_id}", token=member["access_token"])
        return reply.body if reply.body.get("status") == "ready" else None

    document = requests.get(eventually(ready, timeout_s=20)["download_url"], timeout=10).json()
    assert [b["booking_id"] for b in document["scheduling"]["bookings"]] == [booked["booking_id"]]
    [payment] = document["payments"]["payments"]
    assert (payment["booking_id"], payment["status"], payment["amount_cents"]) == (
        booked["booking_id"],
        "succeeded",
        2000,
    )
    assert "client_secret" not in json.dumps(document)


@pytest.mark.parametrize(
    "odd",
    [[], {}, {"id": 5, "type": "payment_intent.succeeded"}, {"id": "evt_1", "type": "x", "data": []}, "text"],
)
def test_a_signed_body_that_is_not_an_event_is_refused_and_never_queued(api, platform, stripe_settings, odd):
    reply = signed_delivery(api, stripe_settings, odd)
    assert (reply.status, reply.error_code) == (400, "invalid_event")
    assert reply.body["error"]["details"] is None


def test_a_signature_from_the_future_is_refused(api, stripe_settings):
    event = {"id": "evt_future", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_x"}}}
    reply = signed_delivery(api, stripe_settings, event, timestamp=int(time.time()) + 3600)
    assert (reply.status, reply.error_code) == (400, "invalid_signature")


PAYMENT_QUEUES = ("PaymentTasks", "StripeEvents")  # what a refund and a cancellation go through


def _messages(platform, *, dead_letters):
    """Messages waiting or in flight in the payments queues (or in their DLQs)."""
    sqs = aws(platform, "sqs")
    counts = {}
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    for stack, logical_id in platform.template.each("AWS::SQS::Queue"):
        if logical_id in {f"{queue}{'DLQ' if dead_letters else 'Queue'}" for queue in PAYMENT_QUEUES}:
            found = sqs.get_queue_attributes(QueueUrl=stack.physical[logical_id].ref, AttributeNames=names)
            counts[logical_id] = sum(int(value) for value in found["Attributes"].values())
    return {name: count for name, count in counts.items() if count}


@pytest.mark.parametrize(
    ("admin_refund", "status_after"), [({}, "refunded"), ({"amount_cents": 500}, "partially_refunded")]
)
def test_an_admin_refund_then_the_members_cancellation_ends_settled(
    api, stripe, trainer, admin, platform, admin_refund, status_after
):
    dead_before = _messages(platform, dead_letters=True)
    member, booked = confirmed_booking(api, stripe, trainer)
    [payment] = payments_of(api, member)
    first = api.post(f"/admin/payments/{payment['payment_id']}/refund", admin_refund, token=admin)
    assert (first.status, first.body["payment"]["status"]) == (200, status_after)

    cancelled = api.delete(f"/bookings/{booked['booking_id']}", token=member["access_token"])
    assert cancelled.status == 200, cancelled.body
    assert booking_of(api, member, booked["booking_id"])["status"] == "cancelled"
    # The consumers are done with every message: none failing (it would stay in flight, then retry).
    assert eventually(lambda: _messages(platform, dead_letters=False) == {}, timeout_s=30)
    [settled] = payments_of(api, member)
    assert (settled["status"], settled["refunded_cents"]) == ("refunded", 2000)
    refunds = stripe.v1.refunds.list(params={"payment_intent": payment["payment_intent_id"]}).data
    assert sum(refund.amount for refund in refunds) == 2000  # never refunded twice
    assert _messages(platform, dead_letters=True) == dead_before


def test_an_erased_trainer_is_unlisted_and_their_classes_cancelled_with_refunds(api, stripe, admin):
    trainer = api.approved_trainer(admin)
    member, booked = confirmed_booking(api, stripe, trainer)
    [payment] = payments_of(api, member)
    free_session = paid_session(api, trainer, price_cents=0, starts_in=timedelta(days=200))
    name = api.get(f"/trainers/{trainer['user_id']}").body["name"]

    assert api.delete("/me", token=trainer["access_token"]).status == 202

    def session_status(session_id):
        return api.get(f"/sessions/{session_id}").body["status"]

    assert eventually(lambda: session_status(booked["session_id"]) == "cancelled", timeout_s=20)
    assert eventually(lambda: session_status(free_session) == "cancelled", timeout_s=20)
    assert api.get(f"/trainers/{trainer['user_id']}").error_code == "trainer_not_found"
    listed = api.get(f"/trainers?q={name.split()[0]}&limit=100").body["items"]
    assert trainer["user_id"] not in [item["trainer_id"] for item in listed]
    member_booking = booked["booking_id"]
    assert eventually(lambda: booking_of(api, member, member_booking)["status"] == "cancelled", timeout_s=20)
    refunds = eventually(
        lambda: stripe.v1.refunds.list(params={"payment_intent": payment["payment_intent_id"]}).data,
        timeout_s=20,
    )
    assert [refund.amount for refund in refunds] == [2000]
    late = api.post(f"/sessions/{free_session}/bookings", token=api.member()["access_token"])
    assert late.status == 409, late.body


@pytest.fixture
def stripe_refusing(platform, api):
    """Stripe refuses our API key (a revoked key, an outage) until the test ends."""
    secrets = aws(platform, "secretsmanager")
    name = platform.template.physical["StripeSecret"].attrs["Name"]
    current = secrets.get_secret_value(SecretId=name)["SecretString"]
    secrets.put_secret_value(SecretId=name, SecretString=json.dumps({"api_key": "revoked"}))
    api.post("/_local/clock", {"advance_s": 301})  # functions re-read the secret after 5 minutes
    yield
    secrets.put_secret_value(SecretId=name, SecretString=current)
    api.post("/_local/clock", {"advance_s": 301})
    api.post("/_local/clock", {"offset_s": 0})


def test_a_booking_when_stripe_is_unavailable_is_a_503_and_the_seat_stays_free(api, trainer, stripe_refusing):
    session_id = paid_session(api, trainer)
    member = api.member()
    reply = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])
    assert (reply.status, reply.error_code, reply.body["error"]["details"]) == (
        503,
        "payments_unavailable",
        None,
    )
    session = api.get(f"/sessions/{session_id}").body
    assert session["seats_left"] == session["capacity"]
    mine = api.get("/me/bookings", token=member["access_token"]).body["items"]
    assert not [booking for booking in mine if booking["status"] in ("confirmed", "pending_payment")]
