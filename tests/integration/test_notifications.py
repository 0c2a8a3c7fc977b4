"""Notifications on the local runtime, read back from its outbox: a booking confirmation with its
.ics, reminders exactly once per lead however often the schedule fires, quiet hours, preferences."""

import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fitconnect_local.sqs_sources import LONG_POLL_S
from tests.support.local import aws, drained, eventually, invocations, sns_endpoints, worked_off


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def session_starting_in(api, trainer, delta):
    return api.new_session(trainer, starts_in=delta, title="Morning yoga", capacity=10, location="Studio 2")


# A sender's claim (`sending`) is passing; a test of the outcome waits for where it ends.
SETTLED = ("sent", "skipped", "deferred")


def log_of(api, member, *, welcome=False):
    """The member's notifications log (without the welcome every new member gets, unless asked)."""
    items = api.get("/me/notifications", token=member["access_token"]).body["items"]
    return [item for item in items if welcome or item["template"] != "welcome"]


def fire(api, schedule):
    reply = api.post(f"/_local/schedules/{schedule}")
    assert reply.status in (200, 202)
    return reply.body


def test_a_booking_23_hours_ahead_gets_its_confirmation_and_one_reminder_per_lead(api, trainer, clock):
    member = api.member()
    session_id = session_starting_in(api, trainer, timedelta(hours=23))
    booking = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"]).body

    [confirmation] = eventually(lambda: api.emails_to(member, "Booked: Morning yoga"), timeout_s=20)
    [ics] = confirmation["attachments"]
    assert (ics["filename"], ics["content_type"]) == ("booking.ics", "text/calendar")
    assert "BEGIN:VEVENT" in ics["content"]
    assert "Morning yoga" in ics["content"]

    for _ in range(3):  # however often the schedule fires, one 24 h reminder
        fire(api, "QueueRemindersFunction")
    # The schedule hands due reminders to the notifications queue; the senders deliver them.
    [day_before] = eventually(lambda: api.emails_to(member, "Reminder: Morning yoga"))
    assert "about 23 hours" in day_before["body"]

    clock(22.5 * 3600)  # half an hour before the class
    api.relogin(member)
    fire(api, "QueueRemindersFunction")
    fire(api, "QueueRemindersFunction")

    def two_reminders():
        found = api.emails_to(member, "Reminder: Morning yoga")
        return found if len(found) >= 2 else None

    reminders = eventually(two_reminders)
    assert len(reminders) == 2
    hour_before = [r for r in reminders if re.search(r"starts in (29|30) minutes", r["body"])]
    assert len(hour_before) == 1, [r["body"] for r in reminders]
    logged = {(item["template"], item["status"]) for item in log_of(api, member)}
    assert logged == {("booking_confirmed", "sent"), ("reminder", "sent")}
    assert len(log_of(api, member)) == 3
    assert booking["status"] == "confirmed"


def test_new_reminder_leads_apply_to_bookings_made_before_and_old_leads_stop(api, trainer, clock):
    member = api.member()
    session_id = session_starting_in(api, trainer, timedelta(hours=5))
    booking_id = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"]).body["booking_id"]
    eventually(lambda: api.emails_to(member, "Booked: Morning yoga"), timeout_s=20)  # reminders scheduled
    # From the default day-before and hour-before to two hours before, after booking.
    body = {"email": True, "sms": False, "push": False, "quiet_hours": None, "reminder_leads_min": [120]}
    assert api.put("/me/notification-preferences", body, token=member["access_token"]).status == 200

    def not_sent(lead):
        logs = api.get("/_local/functions/SendNotificationsFunction/logs").body["lines"]
        return [
            line
            for line in logs
            if "reminder not sent" in line
            and booking_id in line
            and f'"lead_min":{lead}' in line.replace(" ", "")
        ]

    fire(api, "QueueRemindersFunction")  # the day-before reminder, due at once, is no longer wanted
    eventually(lambda: not_sent(1440))
    clock(3 * 3600 + 5 * 60)  # 1 h 55 min before the class: the two-hour reminder is due
    api.relogin(member)
    fire(api, "QueueRemindersFunction")
    [reminder] = eventually(lambda: api.emails_to(member, "Reminder: Morning yoga"))
    assert re.search(r"starts in 11[45] minutes", reminder["body"]), reminder["body"]
    clock(65 * 60)  # 50 min before: the old hour-before lead is gone too
    api.relogin(member)
    fire(api, "QueueRemindersFunction")
    eventually(lambda: not_sent(60))
    reminders = [n for n in log_of(api, member) if n["template"] == "reminder"]
    assert [(n["status"], n["notification_id"].rsplit("-", 1)[1]) for n in reminders] == [("sent", "120")]


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
    assert api.emails_to(member, "Booked") == []
    fire(api, "ReleaseDeferredFunction")
    assert api.emails_to(member, "Booked") == []  # still quiet

    clock(65 * 60)
    api.relogin(member)
    fire(api, "ReleaseDeferredFunction")

    assert len(eventually(lambda: api.emails_to(member, "Booked"))) == 1
    assert [n["status"] for n in log_of(api, member)] == ["sent"]


def test_preferences_switch_channels_off_and_are_validated(api, trainer):
    member = api.member()
    defaults = api.get("/me/notification-preferences", token=member["access_token"]).body
    assert defaults == {
        "email": True,
        "sms": False,
        "push": True,
        "quiet_hours": None,
        "weekly_summary": True,
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

    [logged] = eventually(lambda: [n for n in log_of(api, member) if n["status"] in SETTLED], timeout_s=20)
    assert logged["status"] == "skipped"
    assert logged["channels"]["email"] == {"status": "skipped", "reason": "switched off"}
    assert api.emails_to(member, "Booked") == []


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

    [logged] = eventually(lambda: [n for n in log_of(api, member) if n["status"] in SETTLED], timeout_s=20)
    assert (logged["status"], logged["channels"]["sms"]["status"]) == ("sent", "sent")
    texts = [
        m
        for m in api.get("/_local/outbox").body["items"]
        if m["channel"] == "sms" and "+33612345678" in m["to"]
    ]
    assert [m["body"] for m in texts] == [f"FitConnect: {logged['subject']}"]


def test_a_cancelled_class_is_announced_as_such_not_as_the_members_own_cancellation(api, trainer):
    member = api.member()
    session_id = session_starting_in(api, trainer, timedelta(days=6))
    api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])
    eventually(lambda: api.emails_to(member, "Booked: Morning yoga"), timeout_s=20)

    assert api.delete(f"/sessions/{session_id}", token=trainer["access_token"]).status == 200

    [notice] = eventually(lambda: api.emails_to(member, "Class cancelled: Morning yoga"), timeout_s=20)
    assert "cancelled by the studio" in notice["body"]
    assert api.emails_to(member, "Booking was cancelled") == []
    templates = eventually(
        lambda: [n["template"] for n in log_of(api, member) if n["template"].endswith("cancelled")],
        timeout_s=20,
    )
    assert templates == ["session_cancelled"]


# ------------------------------------------------------------------ welcome and reset codes
def test_a_new_member_is_welcomed_once_and_a_reset_code_is_logged_but_never_shown(api):
    member = api.member()
    [welcome] = eventually(lambda: api.emails_to(member, "Welcome to FitConnect"), timeout_s=20)
    assert "notification settings" in welcome["body"]
    assert api.post("/auth/password/forgot", {"email": member["email"]}).status == 202

    [reset] = eventually(lambda: api.emails_to(member, "Your FitConnect password reset code"), timeout_s=20)
    code = re.search(r"\b(\d{6})\b", reset["body"]).group(1)

    def sent():
        items = {n["template"]: n for n in log_of(api, member, welcome=True) if n["status"] == "sent"}
        return items if len(items) == 2 else None

    logged = eventually(sent, timeout_s=20)
    assert set(logged) == {"welcome", "password_reset"}
    assert list(logged["password_reset"]["channels"]) == ["email"]  # e-mail only, whatever the preferences
    assert code not in json.dumps(api.get("/me/notifications", token=member["access_token"]).body)


# ------------------------------------------------------------------ push
def platform_endpoints(platform, token):
    """The SNS platform endpoints (moto) of a push token, over every platform application."""
    return [e for e in sns_endpoints(aws(platform, "sns")) if e["Attributes"]["Token"] == token]


def pushes_to(api, token):
    return [
        m for m in api.get("/_local/outbox").body["items"] if m["channel"] == "push" and m["token"] == token
    ]


def register_device(api, member, platform_name):
    token = f"{platform_name}-token-{uuid.uuid4().hex}"
    reply = api.post("/me/devices", {"platform": platform_name, "token": token}, token=member["access_token"])
    assert reply.status == 201
    return token


def test_push_reaches_each_device_in_its_format_and_a_dead_token_is_dropped(api, trainer, platform):
    member = api.member()
    ios, android = register_device(api, member, "ios"), register_device(api, member, "android")
    api.put("/me/notification-preferences", {"email": False}, token=member["access_token"])
    session_id = session_starting_in(api, trainer, timedelta(days=3))
    booking = api.post(f"/sessions/{session_id}/bookings", token=member["access_token"]).body

    [confirmed] = eventually(lambda: [n for n in log_of(api, member) if n["status"] == "sent"], timeout_s=20)
    assert confirmed["channels"]["push"]["status"] == "sent"
    assert len(confirmed["channels"]["push"]["message_ids"]) == 2
    [to_iphone], [to_android] = pushes_to(api, ios), pushes_to(api, android)
    apns = json.loads(json.loads(to_iphone["body"])["APNS"])
    assert apns["aps"]["alert"]["title"] == confirmed["subject"].strip()
    assert apns["notification_id"] == confirmed["notification_id"]
    fcm = json.loads(json.loads(to_android["body"])["GCM"])["fcmV1Message"]["message"]
    assert fcm["notification"]["title"] == confirmed["subject"]

    # The Android app is uninstalled: FCM tells SNS, which disables the endpoint.
    [endpoint] = platform_endpoints(platform, android)
    aws(platform, "sns").set_endpoint_attributes(
        EndpointArn=endpoint["EndpointArn"], Attributes={"Enabled": "false"}
    )
    api.delete(f"/bookings/{booking['booking_id']}", token=member["access_token"])

    cancelled = eventually(
        lambda: [
            n for n in log_of(api, member) if n["template"] == "booking_cancelled" and n["status"] == "sent"
        ],
        timeout_s=20,
    )
    assert cancelled[0]["channels"]["push"]["devices_removed"] == 1
    assert len(pushes_to(api, ios)) == 2
    assert len(pushes_to(api, android)) == 1
    assert platform_endpoints(platform, android) == []  # the dead endpoint is deleted, not retried forever


def test_a_token_moves_to_the_member_who_registers_it_and_leaves_with_their_erasure(api, trainer, platform):
    first, second = api.member(), api.member()
    token = register_device(api, first, "ios")
    api.post("/me/devices", {"platform": "ios", "token": token}, token=second["access_token"])
    session_id = session_starting_in(api, trainer, timedelta(days=5))

    for member in (first, second):
        api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])
        eventually(
            lambda member=member: [n for n in log_of(api, member) if n["status"] == "sent"], timeout_s=20
        )
    [first_log], [second_log] = log_of(api, first), log_of(api, second)
    assert first_log["channels"]["push"] == {"status": "skipped", "reason": "no registered device"}
    assert second_log["channels"]["push"]["status"] == "sent"
    [pushed] = pushes_to(api, token)  # the phone shows the second member's booking only
    assert json.loads(json.loads(pushed["body"])["APNS"])["notification_id"] == second_log["notification_id"]
    assert len(platform_endpoints(platform, token)) == 1

    erasures = invocations(api, "EraseMemberFunction")
    cancellations = invocations(api, "CancelMemberBookingsFunction")
    assert api.delete("/me", token=second["access_token"]).status == 202
    # The erasure, and the cancellation of the booking with its push (racing the erasure), are done.
    assert eventually(
        lambda: (
            worked_off(platform, api, "EraseMemberFunction", "ErasureQueue", erasures)
            and worked_off(
                platform, api, "CancelMemberBookingsFunction", "MemberBookingsQueue", cancellations
            )
            and drained(platform, "NotificationsQueue")
        ),
        timeout_s=40,
    )
    assert platform_endpoints(platform, token) == []


# ------------------------------------------------------------------ failures
def test_a_permanently_failing_message_lands_in_the_dlq_while_its_batch_is_delivered(api, platform):
    member = api.member()
    sqs = aws(platform, "sqs")
    queue = sqs.get_queue_url(QueueName="fitconnect-local-notifications")["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName="fitconnect-local-notifications-dlq")["QueueUrl"]
    run = uuid.uuid4().hex

    def envelope(detail_type, data, event_id):
        detail = {"data": data, "metadata": {"event_id": event_id}}
        return json.dumps({"detail-type": detail_type, "source": "fitconnect.test", "detail": detail})

    welcome = {"user_id": member["user_id"], "role": "member", "via": "password"}
    batch = [
        envelope("UserRegistered", welcome, f"{run}-a"),
        envelope("BookingConfirmed", {"booking_id": "no-member-named"}, f"{run}-poison"),
        envelope("UserRegistered", welcome, f"{run}-b"),
    ]
    # Five receives at AWS's 60 s visibility would take five minutes: one second for this test.
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "1"})
    # A long poll already waiting took the old 60 s with it (moto reads it when the receive starts):
    # let it end before sending, or the first receive hides the poison for a minute.
    time.sleep(LONG_POLL_S + 0.5)
    try:
        sqs.send_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(batch)]
        )

        def dead_letters():
            messages = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            return [m for m in messages.get("Messages", []) if run in m["Body"]]

        [dead] = eventually(dead_letters, timeout_s=60)
    finally:
        sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "60"})
    assert f"{run}-poison" in dead["Body"]
    logged = {n["notification_id"]: n["status"] for n in log_of(api, member, welcome=True)}
    assert logged[f"{run}-a-welcome"] == logged[f"{run}-b-welcome"] == "sent"
    # each good message sent once, although its batch was retried five times with the poison
    assert len(api.emails_to(member, "Welcome to FitConnect")) == 3


@pytest.mark.parametrize(
    "title", ["Yoga\r\nBcc: someone@example.com", "Yoga\x07\x1b[31m", "Yoga\u2028Bcc: x@y"]
)
def test_a_title_with_control_characters_is_refused_at_the_door(api, trainer, title):
    starts_at = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat()
    body = {"title": title, "starts_at": starts_at, "duration_min": 60, "capacity": 5}
    body |= {"price_cents": 0, "currency": "usd", "kind": "in_person", "location": "Studio 2"}
    reply = api.post("/sessions", body, token=trainer["access_token"])
    assert (reply.status, reply.body["error"]["details"][0]["field"]) == (400, "title")


def test_a_stored_title_with_a_line_break_still_confirms_by_mail_push_and_calendar(api, trainer, platform):
    """Text stored before the input rule (or by an import) must not leave a confirmation stuck."""
    member = api.member()
    session_id = session_starting_in(api, trainer, timedelta(days=2))
    table = platform.template.physical["SchedulingTable"].ref
    aws(platform, "dynamodb").update_item(
        TableName=table,
        Key={"pk": {"S": f"SESSION#{session_id}"}, "sk": {"S": "SESSION"}},
        UpdateExpression="SET title = :title",
        ExpressionAttributeValues={":title": {"S": "Night\r\nBcc: thief@example.com\x07 yoga"}},
    )
    api.post(f"/sessions/{session_id}/bookings", token=member["access_token"])
    [mail] = eventually(lambda: api.emails_to(member, "Booked: Night"), timeout_s=20)
    assert "\n" not in mail["subject"]
    assert "\r" not in mail["subject"]
    assert mail["subject"].startswith("Booked: Night Bcc: thief@example.com yoga on ")
    assert mail["to"] == [member["email"]]  # nobody was added as a recipient
    calendar = mail["attachments"][0]["content"]
    assert "\x07" not in calendar
    assert "SUMMARY:Night Bcc: thief@example.com yoga" in calendar
    assert [item["status"] for item in log_of(api, member)] == ["sent"]
