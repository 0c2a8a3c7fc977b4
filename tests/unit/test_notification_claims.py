"""Claim, then send: two deliveries of one notification that both read it `pending` — overlapping
reminder runs, a redelivered message — send once; a sender that died leaves a claim that lapses."""

from datetime import timedelta

import boto3
import pytest


@pytest.fixture
def sender(function_env):
    with function_env("SendNotificationsFunction"):
        from fitconnect.identity import accounts
        from fitconnect.members import public as members
        from fitconnect.notifications import notifications
        from fitconnect.platform.storage import get_item

        new = accounts.new_account(
            "claims@example.com", "Claims", password_hash=None, companion=members.new_profile
        )
        accounts.save_new_account(new)

        def read(notification_id):
            return get_item(notifications.Notification, notifications.Notification.key(notification_id))

        yield notifications, new.account.user_id, read


def sent_emails():
    return int(boto3.client("ses").get_send_quota()["SentLast24Hours"])


def pending(notifications, user_id, notification_id):
    from fitconnect.platform import clock

    notification = notifications.Notification(
        *notifications.Notification.key(notification_id),
        gsi1pk=f"MEMBER#{user_id}",
        gsi1sk=f"{clock.now_iso()}#{notification_id}",
        notification_id=notification_id,
        user_id=user_id,
        template="welcome",
        status="pending",
        created_at=clock.now_iso(),
    )
    notification.save()
    return notification


def test_two_senders_that_both_read_it_pending_send_it_once(sender):
    notifications, user_id, read = sender
    pending(notifications, user_id, "n-race")
    first, second = read("n-race"), read("n-race")  # both runs read it before either sends
    before = sent_emails()

    assert notifications.deliver(first) == "sent"
    assert notifications.deliver(second) == "duplicate"

    assert sent_emails() - before == 1
    stored = read("n-race")
    assert (stored.status, stored.claim, stored.claim_expires_at) == ("sent", None, None)


def test_a_claim_whose_sender_died_lapses_and_the_retry_sends(sender, monkeypatch):
    notifications, user_id, read = sender
    pending(notifications, user_id, "n-crash")
    crashed = read("n-crash")

    def die(*_):
        raise RuntimeError("died")

    monkeypatch.setattr(notifications.templates, "render", die)
    with pytest.raises(RuntimeError):
        notifications.deliver(crashed)  # claimed, then died before sending
    monkeypatch.undo()
    assert read("n-crash").status == "sending"
    before = sent_emails()

    # The message comes back at once: the claim still holds, so nothing is sent twice...
    assert notifications.notify("n-crash", user_id, "welcome", {}) == "duplicate"
    # ...and after the claim lapsed, the next delivery sends it.
    from fitconnect.platform import clock

    with clock.travel(timedelta(seconds=notifications.CLAIM_S + 1)):
        assert notifications.notify("n-crash", user_id, "welcome", {}) == "sent"
    assert sent_emails() - before == 1
