"""The chatbot over HTTP, answering from the member's own bookings in their time zone."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def session_at(api, trainer, starts, title, kind="in_person"):
    starts_at = starts.isoformat().replace("+00:00", "Z")
    place = {"location": "Studio 3"} if kind == "in_person" else {}
    return api.new_session(
        trainer, starts_at=starts_at, title=title, duration_min=50, capacity=8, kind=kind, **place
    )


def ask(api, member, text):
    reply = api.post("/chatbot/messages", {"text": text}, token=member["access_token"])
    assert reply.status == 200, reply.body
    return reply.body


def test_the_chatbot_answers_from_the_members_bookings_in_their_time_zone(api, trainer):
    member = api.member()
    assert api.patch("/me", {"timezone": "Asia/Tokyo"}, token=member["access_token"]).status == 200
    tomorrow_utc = (datetime.now(UTC) + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    later = tomorrow_utc + timedelta(days=2)
    first = session_at(api, trainer, tomorrow_utc, "Kettlebell basics")
    second = session_at(api, trainer, later, "Sunrise pilates", kind="live")
    bookings = {}
    for session_id in (second, first):
        booked = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"]).body
        bookings[session_id] = booked["booking_id"]

    nothing = ask(api, api.member(), "When is my next session?")
    assert "no upcoming sessions" in nothing["reply"]

    next_one = ask(api, member, "When is my next session?")
    tokyo = tomorrow_utc.astimezone(ZoneInfo("Asia/Tokyo"))
    assert "Kettlebell basics" in next_one["reply"]
    assert f"{tokyo:%H:%M} (JST)" in next_one["reply"]  # 18:00 in Tokyo for 09:00 UTC
    assert next_one["actions"][0]["booking_id"] == bookings[first]

    week = ask(api, member, "what are my bookings this week?")
    assert week["reply"].index("Kettlebell basics") < week["reply"].index("Sunrise pilates")

    day = tokyo.strftime("%A").lower()
    cancel = ask(api, member, f"cancel my booking on {day}")
    [action] = cancel["actions"]
    assert (action["type"], action["method"], action["path"]) == (
        "confirm_cancel",
        "DELETE",
        f"/bookings/{bookings[first]}",
    )
    still = api.get(f"/bookings/{bookings[first]}", token=member["access_token"]).body
    assert still["status"] == "confirmed"  # nothing is cancelled without the member's confirmation

    found = ask(api, member, "find a live pilates class")
    assert "Sunrise pilates" in found["reply"]
    assert {a["path"] for a in found["actions"]} == {f"/sessions/{second}/bookings"}
    assert "Kettlebell" not in ask(api, member, "any online classes?")["reply"]

    fallback = ask(api, member, "what's the meaning of life?")
    assert "I can tell you when your next session is" in fallback["reply"]
    assert api.post("/chatbot/messages", {"text": ""}, token=member["access_token"]).status == 400
