"""Notifications on the local runtime, read back from its outbox: a booking confirmation with its
.ics, reminders exactly once per lead however often the schedule fires, quiet hours, preferences."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.local import eventually


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def session_starting_in(api, trainer, delta):
    starts_at = (datetime.now(UTC) + delta).replace(second=0, microsecond=0)
    body = {
        "title": "Morning yoga",
        "starts_at": starts_at.isoformat().replace("+00:00", "Z"),
        "duration_min": 60,
        "capacity": 10,
        "price_cents": 0,
        "currency": "usd",
        "kind": "in_person",
        "location": "Studio 2",
    }
    reply = api.post("/sessions", body, token=trainer["access_token"])
    assert reply.status == 201, reply.body
    return reply.body["session_id"]


def emails_to(api, member, subject_start):
    items = api.get("/_local/outbox").body["items"]
    return [m for m in items if member["email"] in m.get("to", []) and m["subject"].startswith(subject_start)]


def log_of(api, member):
    return api.get("/me/notifications", token=member["access_token"]).body["items"]


def relogin(api, member):
    member["access_token"] = api.login(member["email"], member["password"]).body["access_token"]


def fire(api, schedule):
    reply = api.post(f"/_local/schedules/{schedule}")
    assert reply.status in (200, 202)
    return reply.body


def test_a_booking_23_hours_ahead_gets_its_confirmation_and_one_reminder_per_lead(api, trainer, clock):
    member = api.member()
    session_id = session_starting_in(api, trainer, timedelta(hours=23))
    booking = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"]).body

    [confirmation] = eventually(lambda: emails_to(api, member, "Booked: Morning yoga"), timeout_s=20)
    [ics] = confirmation["attachments"]
    assert (ics["filename"], ics["content_type"]) == ("booking.ics", "text/calendar")
    assert "BEGIN:VEVENT" in ics["content"]
    assert "Morning yoga" in ics["content"]

    for _ in range(3):  # however often the schedule fires, one 24 h reminder
        fire(api, "QueueRemindersFunction")
    [day_before] = emails_to(api, member, "Reminder: Morning yoga")
    assert "about 23 hours" in day_before["body"]

    clock(22.5 * 3600)  # half an hour before the class
    relogin(api, member)
    fire(api, "QueueRemindersFunction")
    fire(api, "QueueRemindersFunction")

    def two_reminders():
        found = emails_to(api, member, "Reminder: Morning yoga")
        return found if len(found) >= 2 else None

    reminders = eventually(two_reminders)
    assert len(reminders) == 2
    hour_before = [r for r in reminders if re.search(r"starts in (29|30) minutes", r["body"])]
    assert len(hour_before) == 1, [r["body"] for r in reminders]
    logged = {(item["template"], item["status"]) for item in log_of(api, member)}
    assert logged == {("booking_confirmed", "sent"), ("reminder", "sent")}
    assert len(log_of(api, member)) == 3
    assert booking["status"] == "confirmed"


def test_quiet_hours_defer_an_email_until_they_end(api, trainer, clock):
    member = api.member()
    now = datetime.now(UTC)
    quiet = {"start": f"{(now - timedelta(hours=1)):%H:%M}", "end": f"{(now + timedelta(hours=1)):%H:%M}"}
    body = {"email": True, "sms": False, "push": False, "quiet_hours": quiet, "reminder_leads_min": [60]}
    saved = api.put("/me/notification-preferences", body, token=member["access_token"])
    assert (saved.status, saved.body["quiet_hours"]) == (200, quiet)
    session_id = session_starting_in(api, trainer, timedelta(days=3))

    api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])

    [deferred] = eventually(
        lambda: [n for n in log_of(api, member) if n["status"] == "deferred"], timeout_s=20
    )
    assert deferred["send_after"][:16] == (now + timedelta(hours=1)).isoformat()[:16]
    assert emails_to(api, member, "Booked") == []
    fire(api, "ReleaseDeferredFunction")
    assert emails_to(api, member, "Booked") == []  # still quiet

    clock(65 * 60)
    relogin(api, member)
    fire(api, "ReleaseDeferredFunction")

    assert len(eventually(lambda: emails_to(api, member, "Booked"))) == 1
    assert [n["status"] for n in log_of(api, member)] == ["sent"]


def test_preferences_switch_channels_off_and_are_validated(api, trainer):
    member = api.member()
    defaults = api.get("/me/notification-preferences", token=member["access_token"]).body
    assert defaults == {
        "email": True,
        "sms": False,
        "push": True,
        "quiet_hours": None,
        "reminder_leads_min": [1440, 60],
    }
    bad = api.put(
        "/me/notification-preferences",
        {"quiet_hours": {"start": "25:00", "end": "07:00"}},
        token=member["access_token"],
    )
    assert (bad.status, bad.error_code) == (400, "validation_failed")
    too_far = api.put(
        "/me/notification-preferences", {"reminder_leads_min": [2880]}, token=member["access_token"]
    )
    assert too_far.status == 400
    off = api.put(
        "/me/notification-preferences", {"email": False, "push": False}, token=member["access_token"]
    )
    assert off.body["email"] is False

    session_id = session_starting_in(api, trainer, timedelta(days=2))
    api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])

    [logged] = eventually(lambda: [n for n in log_of(api, member) if n["status"] != "pending"], timeout_s=20)
    assert logged["status"] == "skipped"
    assert logged["channels"]["email"] == {"status": "skipped", "reason": "switched off"}
    assert emails_to(api, member, "Booked") == []


def test_sms_goes_to_the_phone_on_the_profile_when_switched_on(api, trainer):
    member = api.member()
    bad = api.patch("/me", {"phone": "0612345678"}, token=member["access_token"])
    assert (bad.status, bad.body["error"]["details"][0]["field"]) == (400, "phone")
    assert (
        api.patch("/me", {"phone": "+33612345678"}, token=member["access_token"]).body["phone"]
        == "+33612345678"
    )
    api.put("/me/notification-preferences", {"email": False, "sms": True}, token=member["access_token"])
    session_id = session_starting_in(api, trainer, timedelta(days=4))

    api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])

    [logged] = eventually(lambda: [n for n in log_of(api, member) if n["status"] != "pending"], timeout_s=20)
    assert (logged["status"], logged["channels"]["sms"]["status"]) == ("sent", "sent")
    texts = [
        m
        for m in api.get("/_local/outbox").body["items"]
        if m["channel"] == "sms" and "+33612345678" in m["to"]
    ]
    assert [m["body"] for m in texts] == [f"FitConnect: {logged['subject']}"]
