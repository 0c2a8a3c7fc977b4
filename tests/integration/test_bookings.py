"""Bookings over HTTP: seats, waitlist in order, cancellation promoting it, access, and races."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.api import ApiClient
from tests.support.local import eventually

# DynamoDB's contention on (a tenth of writes conflict): the same results must follow.
pytestmark = pytest.mark.usefixtures("contention")


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def book(api, member, session_id):
    return api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])


def test_seats_then_waitlist_then_promotion_in_order(api, trainer):
    session_id = api.new_session(trainer)
    a, b, c, d = (api.member() for _ in range(4))
    first, second = book(api, a, session_id), book(api, b, session_id)
    assert (first.status, first.body["status"], second.body["status"]) == (201, "confirmed", "confirmed")
    third, fourth = book(api, c, session_id), book(api, d, session_id)
    assert (third.body["status"], third.body["position"]) == ("waitlisted", 1)
    assert (fourth.body["status"], fourth.body["position"]) == ("waitlisted", 2)
    again = book(api, a, session_id)
    assert (again.status, again.error_code) == (409, "already_booked")
    session = api.get(f"/sessions/{session_id}").body
    assert (session["seats_left"], session["waitlist_length"]) == (0, 2)

    cancelled = api.delete(f"/bookings/{first.body['booking_id']}", token=a["access_token"])
    assert (cancelled.status, cancelled.body["status"], cancelled.body["refund"]) == (200, "cancelled", None)
    promoted = api.get(f"/bookings/{third.body['booking_id']}", token=c["access_token"]).body
    assert promoted["status"] == "confirmed"
    assert api.get(f"/bookings/{fourth.body['booking_id']}", token=d["access_token"]).body["position"] == 1
    session = api.get(f"/sessions/{session_id}").body
    assert (session["seats_left"], session["waitlist_length"]) == (0, 1)

    api.delete(f"/bookings/{fourth.body['booking_id']}", token=d["access_token"])  # a waiter leaves
    api.delete(f"/bookings/{promoted['booking_id']}", token=c["access_token"])  # nobody left to promote
    session = api.get(f"/sessions/{session_id}").body
    assert (session["seats_left"], session["waitlist_length"]) == (1, 0)
    rebooked = book(api, a, session_id)
    assert (rebooked.status, rebooked.body["status"]) == (201, "confirmed")
    twice = api.delete(f"/bookings/{first.body['booking_id']}", token=a["access_token"])
    assert (twice.status, twice.error_code) == (409, "not_cancellable")


def test_a_paid_session_holds_the_seat_for_payment(api, trainer):
    session_id = api.new_session(trainer, price_cents=2500, capacity=1)
    member = api.member()
    held = book(api, member, session_id)
    assert held.body["status"] == "pending_payment"
    assert held.body["hold_expires_at"] > held.body["created_at"]
    assert api.get(f"/sessions/{session_id}").body["seats_left"] == 0
    cancelled = api.delete(f"/bookings/{held.body['booking_id']}", token=member["access_token"]).body
    assert cancelled["refund"] is None  # nothing was paid


def test_who_sees_and_cancels_a_booking(api, trainer, admin):
    session_id = api.new_session(trainer)
    member, stranger = api.member(), api.member()
    booking_id = book(api, member, session_id).body["booking_id"]
    assert (
        api.get(f"/bookings/{booking_id}", token=stranger["access_token"]).error_code == "booking_not_found"
    )
    assert api.get(f"/bookings/{booking_id}", token=trainer["access_token"]).status == 200
    assert api.delete(f"/bookings/{booking_id}", token=trainer["access_token"]).status == 404
    assert api.delete(f"/bookings/{booking_id}", token=stranger["access_token"]).status == 404
    roster = api.get(f"/sessions/{session_id}/bookings?limit=100", token=trainer["access_token"]).body[
        "items"
    ]
    # The trainer checks people in by name.
    assert [(r["user_id"], r["name"], r["status"]) for r in roster] == [
        (member["user_id"], "Test Member", "confirmed")
    ]
    other_trainer = api.approved_trainer(admin)
    assert api.get(f"/sessions/{session_id}/bookings", token=other_trainer["access_token"]).status == 404
    mine = api.get("/me/bookings", token=member["access_token"]).body["items"]
    assert [item["booking_id"] for item in mine] == [booking_id]
    assert api.delete(f"/bookings/{booking_id}", token=admin).body["status"] == "cancelled"
    assert api.post("/sessions/nope/bookings", token=member["access_token"]).error_code == "session_not_found"


def test_fifty_members_race_for_five_seats(api, trainer, platform):
    session_id = api.new_session(trainer, capacity=5)
    members = [api.member() for _ in range(50)]
    clients = [ApiClient(platform.api_url) for _ in members]
    with ThreadPoolExecutor(max_workers=25) as pool:
        replies = list(
            pool.map(lambda pair: book(pair[0], pair[1], session_id), zip(clients, members, strict=True))
        )
    assert all(reply.status == 201 for reply in replies), [r.body for r in replies if r.status != 201]
    statuses = [reply.body["status"] for reply in replies]
    assert statuses.count("confirmed") == 5
    assert statuses.count("waitlisted") == 45
    waiting = sorted(
        (reply for reply in replies if reply.body["status"] == "waitlisted"), key=lambda r: r.body["position"]
    )
    assert [reply.body["position"] for reply in waiting] == list(range(1, 46))
    session = api.get(f"/sessions/{session_id}").body
    assert (session["seats_left"], session["waitlist_length"]) == (0, 45)
    roster = api.get(f"/sessions/{session_id}/bookings?limit=100", token=trainer["access_token"]).body[
        "items"
    ]
    assert sum(1 for place in roster if place["status"] == "confirmed") == 5

    # Cancellations race new bookings: seats never exceed capacity, waiters are served in order.
    seated = [
        (client, member, reply)
        for client, member, reply in zip(clients, members, replies, strict=True)
        if reply.body["status"] == "confirmed"
    ]
    latecomers = [api.member() for _ in range(5)]

    def cancel(entry):
        client, member, reply = entry
        return client.delete(f"/bookings/{reply.body['booking_id']}", token=member["access_token"])

    with ThreadPoolExecutor(max_workers=10) as pool:
        cancels = [pool.submit(cancel, entry) for entry in seated]
        newcomers = [pool.submit(book, ApiClient(platform.api_url), m, session_id) for m in latecomers]
    assert all(future.result().status == 200 for future in cancels)
    late = [future.result().body for future in newcomers]
    assert all(body.get("status") == "waitlisted" for body in late), late
    roster = api.get(f"/sessions/{session_id}/bookings?limit=100", token=trainer["access_token"]).body[
        "items"
    ]
    confirmed = {place["booking_id"] for place in roster if place["status"] == "confirmed"}
    assert confirmed == {reply.body["booking_id"] for reply in waiting[:5]}
    session = api.get(f"/sessions/{session_id}").body
    assert (session["seats_left"], session["waitlist_length"]) == (0, 45)


def test_capacity_changes_respect_seats_and_move_the_waitlist(api, trainer, admin):
    session_id = api.new_session(trainer, capacity=1)
    seated, waiting = api.member(), api.member()
    book(api, seated, session_id)
    waiter = book(api, waiting, session_id).body
    token = trainer["access_token"]
    too_small = api.patch(f"/sessions/{session_id}", {"capacity": 0}, token=token)
    assert too_small.status == 400
    other = api.approved_trainer(admin)
    assert api.patch(f"/sessions/{session_id}", {"capacity": 3}, token=other["access_token"]).status == 403
    bigger = api.patch(f"/sessions/{session_id}", {"capacity": 3, "title": "Spin (big room)"}, token=token)
    assert bigger.status == 200
    assert (bigger.body["seats_left"], bigger.body["waitlist_length"], bigger.body["title"]) == (
        1,
        0,
        "Spin (big room)",
    )
    promoted = api.get(f"/bookings/{waiter['booking_id']}", token=waiting["access_token"]).body
    assert promoted["status"] == "confirmed"
    below = api.patch(f"/sessions/{session_id}", {"capacity": 1}, token=token)
    assert (below.status, below.error_code) == (409, "cannot_change_session")


def test_cancelling_a_session_cancels_every_booking(api, trainer):
    session_id = api.new_session(trainer, capacity=1)
    members = [api.member() for _ in range(3)]
    booked = [book(api, member, session_id).body for member in members]
    cancelled = api.delete(f"/sessions/{session_id}", token=trainer["access_token"])
    assert (cancelled.status, cancelled.body["status"]) == (200, "cancelled")
    late = book(api, api.member(), session_id)
    assert (late.status, late.error_code) == (409, "session_closed")

    def all_cancelled():
        statuses = [
            api.get(f"/bookings/{b['booking_id']}", token=m["access_token"]).body["status"]
            for b, m in zip(booked, members, strict=True)
        ]
        return statuses if set(statuses) == {"cancelled"} else None

    assert eventually(all_cancelled, timeout_s=20)
    again = api.delete(f"/sessions/{session_id}", token=trainer["access_token"])
    assert (again.status, again.error_code) == (409, "not_cancellable")


def test_an_unpaid_hold_expires_and_the_seat_goes_to_the_first_waiter(api, trainer):
    session_id = api.new_session(trainer, price_cents=2000, capacity=1)
    holder, waiter = api.member(), api.member()
    held = book(api, holder, session_id).body
    waiting = book(api, waiter, session_id).body
    assert (held["status"], waiting["status"]) == ("pending_payment", "waitlisted")
    api.post("/_local/clock", {"advance_s": 16 * 60})
    try:
        assert api.post("/_local/schedules/ExpireHoldsFunction").status in (200, 202)

        def moved_on():
            token = api.login(waiter["email"], waiter["password"]).body["access_token"]
            return (
                api.get(f"/bookings/{waiting['booking_id']}", token=token).body["status"] == "pending_payment"
            )

        assert eventually(moved_on, timeout_s=20)
        token = api.login(holder["email"], holder["password"]).body["access_token"]
        assert api.get(f"/bookings/{held['booking_id']}", token=token).body["status"] == "expired"
        assert api.get(f"/sessions/{session_id}").body["waitlist_length"] == 0
    finally:
        api.post("/_local/clock", {"offset_s": 0})


def test_the_roster_pages_like_every_list_and_its_cursor_stays_in_its_session(api, trainer):
    session_id = api.new_session(trainer)
    other_session = api.new_session(trainer)
    members = [api.member() for _ in range(3)]
    for member in members:
        book(api, member, session_id)
    book(api, members[0], other_session)
    path = f"/sessions/{session_id}/bookings"
    first = api.get(f"{path}?limit=2", token=trainer["access_token"]).body
    second = api.get(f"{path}?limit=2&cursor={first['next_cursor']}", token=trainer["access_token"]).body
    assert (len(first["items"]), len(second["items"]), second["next_cursor"]) == (2, 1, None)
    seen = {place["user_id"] for place in first["items"] + second["items"]}
    assert seen == {member["user_id"] for member in members}
    foreign = api.get(
        f"/sessions/{other_session}/bookings?cursor={first['next_cursor']}", token=trainer["access_token"]
    )
    assert (foreign.status, foreign.error_code) == (400, "invalid_cursor")
    assert api.get(f"{path}?limit=0", token=trainer["access_token"]).status == 400
