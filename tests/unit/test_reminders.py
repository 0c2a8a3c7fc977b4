"""The reminder schedule hands on what is due since its last run — once, the nearest lead of a
booking when several fell due together — reading only the due-time buckets of that window."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def reminders(function_env, functions):
    with function_env("QueueRemindersFunction"):
        from fitconnect.notifications import reminders

        yield reminders, functions["QueueRemindersFunction"].environment["NOTIFICATIONS_QUEUE_URL"]


def handed_on(queue_url):
    sqs = boto3.client("sqs")
    found = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        for message in messages:
            found.append(json.loads(message["Body"])["reminder"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return sorted((item["booking_id"], item["lead_min"]) for item in found)


def test_due_reminders_are_handed_on_once_each_and_a_late_run_sends_the_nearest_lead(reminders):
    module, queue = reminders
    # 25 h ahead: both leads still ahead. 23 h ahead: the day-before lead has passed, so it is due now.
    assert module.schedule("b-25h", "u1", "s1", NOW + timedelta(hours=25), [1440, 60], NOW) == 2
    assert module.schedule("b-23h", "u2", "s2", NOW + timedelta(hours=23), [1440, 60], NOW) == 2
    # Many bookings further ahead: nothing of theirs is read or handed on before it is due.
    for n in range(200):
        module.schedule(f"b-later-{n}", "u3", "s3", NOW + timedelta(days=3), [60], NOW)

    assert module.queue_due(NOW) == 1
    assert handed_on(queue) == [("b-23h", 1440)]
    assert module.queue_due(NOW + timedelta(minutes=5)) == 0  # the cursor moved: nothing twice
    assert handed_on(queue) == []

    # The schedule was down for 23 hours: what fell due meanwhile goes now.
    assert module.queue_due(NOW + timedelta(hours=23)) == 2
    assert handed_on(queue) == [("b-23h", 60), ("b-25h", 1440)]

    # Two leads of one booking due in the same run: only the nearer one is sent (with it, the
    # 25-hour booking's one-hour reminder, due meanwhile).
    later = NOW + timedelta(hours=30)
    module.schedule("b-two", "u4", "s4", later + timedelta(hours=2), [90, 60], later)
    assert module.queue_due(later + timedelta(minutes=61)) == 2
    assert handed_on(queue) == [("b-25h", 60), ("b-two", 60)]


def test_scheduling_again_writes_the_same_reminders_and_a_past_class_gets_none(reminders):
    module, queue = reminders
    starts = NOW + timedelta(hours=5)
    assert module.schedule("b1", "u1", "s1", starts, [60], NOW) == 1
    assert module.schedule("b1", "u1", "s1", starts, [60], NOW) == 1  # a redelivered confirmation
    assert module.schedule("b-past", "u1", "s1", NOW - timedelta(minutes=1), [60], NOW) == 0
    assert module.queue_due(starts - timedelta(minutes=59)) == 1
    assert handed_on(queue) == [("b1", 60)]
