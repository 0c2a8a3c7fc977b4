"""Reminders: a due-time index written when a booking is confirmed, so the schedule reads only what
is due now — its work grows with the reminders due, not with the bookings ahead.

In the notifications table:
- a due reminder: pk `REMINDERS#<YYYY-MM-DDTHH:MM>` (its due time, floored to 5 minutes), sk
  `<due_at>#<booking_id>#<lead>`; written when the booking is confirmed, one per lead of the member
  whose time is still ahead, plus one due at once for the nearest lead already passed (a booking
  made 23 hours ahead gets its 24-hour reminder now and its 1-hour one later); it expires a day
  after the class;
- the schedule's cursor: pk `REMINDERS`, sk `CURSOR`, `until`: reminders due up to then were handed on.

Every 5 minutes the schedule reads the buckets from its cursor to now and hands each due reminder
to the notifications queue (ten to a `SendMessageBatch`): the sending fans out over the queue's
consumers. A sender checks the reminder still holds — the booking still confirmed, the lead still
one of the member's — and sends it once (`reminder-<booking>-<lead>`). When several leads of one
booking fall due in one run (a schedule that was down), only the nearest is sent. A member who
changes their leads has their upcoming confirmed bookings scheduled again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from fitconnect.notifications.models import ReminderCursor, ReminderDue, reminder_bucket
from fitconnect.platform import aws, clock
from fitconnect.platform.settings import env
from fitconnect.platform.storage import conditional_save, conditional_update, get_item

BUCKET = timedelta(minutes=5)
CATCH_UP = timedelta(hours=24)  # a schedule down longer than this sends no stale reminders
KEEP_AFTER_START = timedelta(days=1)
SQS_BATCH = 10


def _buckets(start: datetime, end: datetime) -> Iterator[str]:
    moment = start
    while moment <= end + BUCKET:
        yield reminder_bucket(moment)
        moment += BUCKET


# -- scheduling


def schedule(
    booking_id: str, user_id: str, session_id: str, starts_at: datetime, leads: list[int], now: datetime
) -> int:
    """Write the booking's due reminders (repeatable: the same booking and lead, the same item)."""
    if starts_at <= now:
        return 0
    ahead = [lead for lead in leads if starts_at - timedelta(minutes=lead) > now]
    passed = [lead for lead in leads if lead not in ahead]
    due = [(lead, starts_at - timedelta(minutes=lead)) for lead in ahead]
    if passed:
        due.append((min(passed), now))
    expires = int((starts_at + KEEP_AFTER_START).timestamp())
    with ReminderDue.batch_write() as batch:
        for lead, due_at in due:
            batch.save(
                ReminderDue(
                    *ReminderDue.key(due_at, booking_id, lead),
                    booking_id=booking_id,
                    user_id=user_id,
                    session_id=session_id,
                    lead_min=lead,
                    due_at=clock.to_iso(due_at),
                    starts_at=clock.to_iso(starts_at),
                    expires_at=expires,
                )
            )
    return len(due)


# -- the schedule: hand on what is due


def queue_due(now: datetime | None = None) -> int:
    """Hand every reminder due since the cursor to the notifications queue; returns how many."""
    now = now or clock.now()
    cursor = get_item(ReminderCursor, ReminderCursor.key(), consistent=True)
    start = now - CATCH_UP
    until = clock.parse(cursor.until) if cursor is not None else None
    if until is not None and until <= now:
        start = max(start, until)
    # A cursor ahead of now means the clock moved back (only the local runtime's clock does):
    # read the whole catch-up window again; what was sent is found and not sent twice.
    lower, upper = f"{clock.to_iso(start)}#~", f"{clock.to_iso(now)}#~"  # due_at in (start, now]
    nearest: dict[str, ReminderDue] = {}
    for bucket in _buckets(start, now):
        for item in ReminderDue.query(f"REMINDERS#{bucket}", ReminderDue.sk.between(lower, upper)):
            kept = nearest.get(item.booking_id)
            if kept is None or item.lead_min < kept.lead_min:
                nearest[item.booking_id] = item
    _hand_on(list(nearest.values()))
    _advance(cursor, now)
    return len(nearest)


def _hand_on(due: list[ReminderDue]) -> None:
    sqs = aws.client("sqs")
    for first in range(0, len(due), SQS_BATCH):
        entries = [
            {"Id": str(n), "MessageBody": json.dumps({"reminder": _message(item)})}
            for n, item in enumerate(due[first : first + SQS_BATCH])
        ]
        failed = sqs.send_message_batch(QueueUrl=env("NOTIFICATIONS_QUEUE_URL"), Entries=entries).get(
            "Failed"
        )
        if failed:  # the run fails and the schedule retries: the cursor has not moved
            raise RuntimeError(f"{len(failed)} reminders could not be queued: {failed[0].get('Message')}")


def _message(item: ReminderDue) -> dict[str, Any]:
    return {
        "booking_id": item.booking_id,
        "user_id": item.user_id,
        "session_id": item.session_id,
        "lead_min": int(item.lead_min),
    }


def _advance(cursor: ReminderCursor | None, now: datetime) -> None:
    """Move the cursor to `now` unless another run moved it meanwhile (then its window covers ours)."""
    until = clock.to_iso(now)
    if cursor is None:
        conditional_save(
            ReminderCursor(*ReminderCursor.key(), until=until), ReminderCursor.pk.does_not_exist()
        )
    else:
        conditional_update(cursor, [ReminderCursor.until.set(until)], ReminderCursor.until == cursor.until)
