"""The scheduling context's items, all in the scheduling table (`SCHEDULING_TABLE`): trainers,
sessions, bookings and their places in a session, the waitlist, reviews, calendar tokens, Zoom
meeting links. The module that works with an item documents its keys."""

from __future__ import annotations

import hashlib
from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from fitconnect.platform.storage import ContextItem, gsi1_index, table_meta

TABLE_ENV = "SCHEDULING_TABLE"


class SchedulingItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class Trainer(SchedulingItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    trainer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    bio = UnicodeAttribute()
    specialties = ListAttribute(of=UnicodeAttribute)
    hourly_rate_cents = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | approved | retired (erased)
    search_text = UnicodeAttribute()  # lower-cased name, bio and specialties
    rating_sum = NumberAttribute(default=0)
    rating_count = NumberAttribute(default=0)
    applied_at = UnicodeAttribute()
    approved_at = UnicodeAttribute(null=True)
    approved_by = UnicodeAttribute(null=True)

    @staticmethod
    def key(trainer_id: str) -> tuple[str, str]:
        return f"TRAINER#{trainer_id}", "PROFILE"


class Review(SchedulingItem):
    trainer_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    rating = NumberAttribute()
    comment = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(trainer_id: str, booking_id: str) -> tuple[str, str]:
        return f"TRAINER#{trainer_id}", f"REVIEW#{booking_id}"


class Refund(MapAttribute[str, Any]):
    amount_cents = NumberAttribute()
    status = UnicodeAttribute()  # owed | requested | refunded


class Feedback(MapAttribute[str, Any]):
    rating = NumberAttribute()
    comment = UnicodeAttribute()
    created_at = UnicodeAttribute()


class Booking(SchedulingItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    trainer_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()
    waitlist_seq = NumberAttribute(null=True)
    price_cents = NumberAttribute()
    currency = UnicodeAttribute()
    hold_expires_at = UnicodeAttribute(null=True)
    refund = Refund(null=True)
    feedback = Feedback(null=True)
    # Paid by an entitlement: {entitlement_id, kind, period_start?} (pricing's `Cover`)
    covered_by = MapAttribute[str, Any](null=True)
    pay_with = UnicodeAttribute(null=True)  # what a waitlisted booking pays with when promoted
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(booking_id: str) -> tuple[str, str]:
        return f"BOOKING#{booking_id}", "BOOKING"


class Place(SchedulingItem):
    """A member's place in a session (the roster entry). While a seat is held for payment, gsi1
    (`HOLDS` / `<hold_expires_at>#<booking_id>`) lists it for the expiry sweep; otherwise unset."""

    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    booking_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()

    @staticmethod
    def key(session_id: str, user_id: str) -> tuple[str, str]:
        return f"SESSION#{session_id}", f"MEMBER#{user_id}"


class WaitlistEntry(SchedulingItem):
    """A waitlist ticket. It stays when its holder is served or leaves (or never got in line), marked
    `left_at`, so that a waiter's position is their ticket less the tickets ahead no longer in line;
    a ticket out of line keeps nothing of its holder (no booking, no member)."""

    booking_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    left_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(session_id: str, seq: int) -> tuple[str, str]:
        return f"SESSION#{session_id}", f"WAIT#{seq:06d}"


class CalendarToken(SchedulingItem):
    token = UnicodeAttribute()
    user_id = UnicodeAttribute()

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"CALENDAR#{user_id}", "TOKEN"


class TokenLookup(SchedulingItem):
    user_id = UnicodeAttribute()

    @staticmethod
    def key(token: str) -> tuple[str, str]:
        return f"CALTOKEN#{hashlib.sha256(token.encode()).hexdigest()}", "CALTOKEN"


class Video(MapAttribute[str, Any]):
    provider = UnicodeAttribute()
    status = UnicodeAttribute()  # not_configured | ready
    meeting_id = UnicodeAttribute(null=True)
    join_url = UnicodeAttribute(null=True)


class Session(SchedulingItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    session_id = UnicodeAttribute()
    series_id = UnicodeAttribute(null=True)
    trainer_id = UnicodeAttribute()
    title = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    duration_min = NumberAttribute()
    capacity = NumberAttribute()
    seats_taken = NumberAttribute(default=0)
    waitlist_length = NumberAttribute(default=0)
    waitlist_seq = NumberAttribute(null=True)  # the last waitlist number handed out
    price_cents = NumberAttribute()
    currency = UnicodeAttribute()
    kind = UnicodeAttribute()
    location = UnicodeAttribute(null=True)
    cancellation_window_min = NumberAttribute()
    status = UnicodeAttribute(default="scheduled")  # scheduled | live | ended | cancelled
    video = Video(null=True)
    closed_at = UnicodeAttribute(null=True)  # attendance settled (no-shows marked)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(session_id: str) -> tuple[str, str]:
        return f"SESSION#{session_id}", "SESSION"


class MeetingLink(SchedulingItem):
    """Finds the session of a Zoom meeting (webhooks name the meeting, not the session)."""

    session_id = UnicodeAttribute()

    @staticmethod
    def key(meeting_id: str) -> tuple[str, str]:
        return f"ZOOM#{meeting_id}", "MEETING"
