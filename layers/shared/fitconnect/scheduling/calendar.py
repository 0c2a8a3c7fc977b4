"""A member's confirmed bookings as an iCalendar feed, behind a secret per-member token.

- `CALENDAR#<user_id>` / `TOKEN` holds the member's current token (shown as `calendar_url` in
  GET /me, created on first use); `CALTOKEN#<sha256(token)>` / `CALTOKEN` finds the member from
  a token. Replacing the token swaps both in one transaction: the old URL stops working at once.
- The feed lists confirmed and attended bookings with the session's times in UTC, place or join
  link; calendars that subscribe (Google, Apple, Outlook) refresh it themselves.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from fitconnect.platform import clock
from fitconnect.platform.errors import NotFound
from fitconnect.platform.storage import get_item, transact_write
from fitconnect.platform.text import one_line
from fitconnect.scheduling.models import Booking, CalendarToken, Session, TokenLookup

FEED_STATUSES = ("confirmed", "attended")


def token_of(user_id: str) -> str:
    """The member's token, created on first use."""
    current = get_item(CalendarToken, CalendarToken.key(user_id), consistent=True)
    return current.token if current else replace_token(user_id)


def replace_token(user_id: str) -> str:
    new_token = secrets.token_urlsafe(24)
    current = get_item(CalendarToken, CalendarToken.key(user_id), consistent=True)
    with transact_write() as transaction:
        if current is not None:
            transaction.delete(TokenLookup(*TokenLookup.key(current.token)))
            transaction.save(
                CalendarToken(*CalendarToken.key(user_id), token=new_token, user_id=user_id),
                condition=CalendarToken.token == current.token,
            )
        else:
            transaction.save(
                CalendarToken(*CalendarToken.key(user_id), token=new_token, user_id=user_id),
                condition=CalendarToken.pk.does_not_exist(),
            )
        transaction.save(TokenLookup(*TokenLookup.key(new_token), user_id=user_id))
    return new_token


def forget(user_id: str) -> None:
    """An erased member: the token and its lookup go (the feed URL stops working). Repeatable."""
    current = get_item(CalendarToken, CalendarToken.key(user_id), consistent=True)
    if current is None:
        return
    with transact_write() as transaction:
        transaction.delete(TokenLookup(*TokenLookup.key(current.token)))
        transaction.delete(current, condition=CalendarToken.token == current.token)


def calendar_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/calendar/{token}.ics"


def feed(token: str) -> bytes:
    lookup = get_item(TokenLookup, TokenLookup.key(token))
    if lookup is None:
        raise NotFound("No such calendar.", code="calendar_not_found")
    in_feed = Booking.status.is_in(*FEED_STATUSES)
    bookings = list(Booking.gsi1.query(f"MEMBER#{lookup.user_id}", filter_condition=in_feed))
    keys = sorted({Session.key(booking.session_id) for booking in bookings})
    sessions = {session.session_id: session for session in Session.batch_get(keys)}
    return render(bookings, sessions)


def render(bookings: list[Booking], sessions: dict[str, Session]) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//FitConnect//Bookings//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "FitConnect")
    calendar.add("refresh-interval;value=duration", "PT1H")
    stamp = clock.now()
    for booking in bookings:
        session = sessions.get(booking.session_id)
        if session is None or session.status == "cancelled":
            continue
        calendar.add_component(_event(Event(), booking, session, stamp))
    return calendar.to_ical()


def _event(event: Any, booking: Booking, session: Session, stamp: datetime) -> Any:
    event.add("uid", f"{booking.booking_id}@fitconnect")
    event.add("dtstamp", stamp)
    event.add("dtstart", clock.parse(session.starts_at))
    event.add("dtend", clock.parse(session.ends_at))
    event.add("summary", one_line(session.title))
    event.add("status", "CONFIRMED")
    if session.location:
        event.add("location", one_line(session.location))
    join_url = session.video.join_url if session.video else None
    if join_url:
        event.add("url", join_url)
        event.add("description", f"Join online: {join_url}")
    return event
