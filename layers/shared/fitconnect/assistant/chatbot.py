"""The member's chatbot (POST /chatbot/messages): a few intents, understood from keywords and dates,
answered from the member's own data — no external model.

Intents: help; next session; my bookings this week; how my week of training went; my next
workout; cancel my booking on a day (answered with a confirm action, never done silently); find a
class by kind, trainer or words. Anything else gets a fallback that says what it can do. Times are
in the member's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fitconnect.coaching import public as coaching
from fitconnect.members.public import timezone_of
from fitconnect.platform import clock
from fitconnect.platform.errors import NotFound
from fitconnect.platform.storage import get_item
from fitconnect.scheduling import public as scheduling

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
SEARCH_DAYS = 14
FILLER = {
    "find", "a", "an", "the", "class", "classes", "session", "sessions", "for", "me", "any", "is",
    "there", "show", "search", "book", "with", "please", "i", "want", "to", "some", "do", "you", "have",
    "online", "live", "in", "person", "in-person", "this", "week", "next", "on", "at",
}  # fmt: skip
HELP = (
    "I can tell you when your next session is, list your bookings this week, tell you how your week "
    'of training went ("how was my week?") and what your next workout is, find a class '
    '(e.g. "find a yoga class" or "classes with Sam"), or cancel a booking ("cancel my booking tomorrow").'
)


@dataclass
class Answer:
    reply: str
    actions: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"reply": self.reply, "actions": self.actions}


def answer(user_id: str, text: str) -> dict[str, Any]:
    words = text.lower().strip()
    zone = ZoneInfo(timezone_of(user_id))
    now = clock.now()
    if re.search(r"\b(help|what can you do)\b", words):
        return Answer(HELP).as_dict()
    if "cancel" in words:
        return _cancel_on_day(user_id, words, zone, now).as_dict()
    if re.search(r"\bnext\b", words) and re.search(r"\b(workout|training)\b", words):
        return _next_workout(user_id).as_dict()
    if re.search(r"\b(how was|how's|how is) my week\b|\bmy (training )?week\b|\bweek(ly)? summary\b", words):
        return _my_week(user_id).as_dict()
    if re.search(r"\bnext\b", words) and re.search(r"\b(session|class|booking)\b", words):
        return _next_session(user_id, zone, now).as_dict()
    if re.search(r"\b(my )?bookings?\b", words) or "booked" in words:
        return _this_week(user_id, zone, now).as_dict()
    if re.search(r"\b(find|search|classes?|sessions?|any)\b", words):
        return _find_classes(words, zone, now).as_dict()
    return Answer(f"Sorry, I didn't get that. {HELP}").as_dict()


# -- intents


def _my_week(user_id: str) -> Answer:
    week = coaching.week_so_far(user_id)
    sessions = int(week["sessions"])
    if not sessions:
        return Answer("No training logged this week yet. Log a workout, or ask me for your next one.")
    minutes = int(week["duration_s"]) // 60
    distance = f", {week['distance_m'] / 1000:.1f} km" if week["distance_m"] else ""
    status = str(week["status"]).replace("_", " ")
    parts = [
        f"This week so far: {sessions} session{'s' if sessions != 1 else ''}, {minutes // 60} h "
        f"{minutes % 60:02d} min{distance}, training load {week['load']:g} ({status}).",
    ]
    if week["records"]:
        parts.append(f"{week['records']} new personal record{'s' if week['records'] != 1 else ''}!")
    if week["advice"]:
        parts.append(week["advice"])
    return Answer(" ".join(parts), [{"type": "view_insights", "path": "/me/insights"}])


def _next_workout(user_id: str) -> Answer:
    try:
        workout = coaching.next_workout(user_id)
    except NotFound:
        return Answer("You have no training plan yet: ask the personal trainer for one (POST /me/plan).")
    if workout is None:
        return Answer("You have finished your plan. Well done! Ask for a new one to keep progressing.")
    exercises = "; ".join(_exercise_line(exercise) for exercise in workout["exercises"])
    focus = coaching.focus_label(workout["focus"])
    return Answer(
        f"Next: week {workout['week']}, day {workout['day']} ({focus}): {exercises}.",
        [{"type": "view_plan", "path": "/me/plan"}],
    )


def _exercise_line(exercise: dict[str, Any]) -> str:
    weight = f" at {exercise['target_weight_kg']:g} kg" if exercise.get("target_weight_kg") else ""
    return f"{exercise['name']} {exercise['sets']} x {exercise['reps']}-{exercise['reps_max']}{weight}"


def _next_session(user_id: str, zone: ZoneInfo, now: datetime) -> Answer:
    upcoming = _upcoming(user_id, now)
    if not upcoming:
        return Answer('You have no upcoming sessions. Want me to find a class? Try "find a yoga class".')
    booking, session = upcoming[0]
    return Answer(
        f"Your next session is {session.title} on {_when(session, zone)}{_where(session)}.",
        [
            {
                "type": "view_booking",
                "booking_id": booking.booking_id,
                "path": f"/bookings/{booking.booking_id}",
            }
        ],
    )


def _this_week(user_id: str, zone: ZoneInfo, now: datetime) -> Answer:
    week_end = now + timedelta(days=7)
    upcoming = [(b, s) for b, s in _upcoming(user_id, now) if s.starts_at < clock.to_iso(week_end)]
    if not upcoming:
        return Answer("You have no bookings in the next 7 days.")
    lines = [f"{session.title} on {_when(session, zone)}" for _booking, session in upcoming]
    actions = [
        {"type": "view_booking", "booking_id": b.booking_id, "path": f"/bookings/{b.booking_id}"}
        for b, _ in upcoming
    ]
    return Answer(f"Your bookings in the next 7 days: {'; '.join(lines)}.", actions)


def _cancel_on_day(user_id: str, words: str, zone: ZoneInfo, now: datetime) -> Answer:
    day = parse_day(words, now.astimezone(zone).date())
    if day is None:
        return Answer('Which day? For example "cancel my booking tomorrow" or "cancel my booking on Friday".')
    on_day = [(b, s) for b, s in _upcoming(user_id, now) if _local_date(s, zone) == day]
    if not on_day:
        return Answer(f"You have no booking on {day:%A %d %B}.")
    actions = [
        {
            "type": "confirm_cancel",
            "label": f"Cancel {session.title} on {_when(session, zone)}",
            "method": "DELETE",
            "path": f"/bookings/{booking.booking_id}",
            "booking_id": booking.booking_id,
        }
        for booking, session in on_day
    ]
    names = " and ".join(f"{session.title} at {_local(session, zone):%H:%M}" for _b, session in on_day)
    return Answer(
        f"On {day:%A %d %B} you have {names}. Confirm below to cancel (refunds follow the policy).", actions
    )


def _find_classes(words: str, zone: ZoneInfo, now: datetime) -> Answer:

    kind = "live" if re.search(r"\b(live|online|zoom)\b", words) else None
    kind = "in_person" if re.search(r"\bin[- ]person\b", words) else kind
    trainer_words = _trainer_words(words)
    terms = [w for w in re.findall(r"[a-z]+", words) if w not in FILLER and w not in trainer_words]
    sessions = scheduling.starting_between(now, now + timedelta(days=SEARCH_DAYS))
    names = _trainer_names({session.trainer_id for session in sessions}) if trainer_words else {}
    found = [
        session
        for session in sessions
        if (kind is None or session.kind == kind)
        and all(term in session.title.lower() for term in terms)
        and all(word in names.get(session.trainer_id, "") for word in trainer_words)
        and int(session.seats_taken) < int(session.capacity)
    ][:5]
    if not found:
        return Answer(f"I found no open class like that in the next {SEARCH_DAYS} days.")
    lines = [f"{session.title} on {_when(session, zone)}" for session in found]
    actions = [
        {
            "type": "book",
            "method": "POST",
            "path": f"/sessions/{s.session_id}/bookings",
            "session_id": s.session_id,
        }
        for s in found
    ]
    return Answer(f"Open classes: {'; '.join(lines)}.", actions)


# -- dates


def parse_day(words: str, today: date) -> date | None:
    """today, tomorrow, a weekday (its next occurrence, today included), `YYYY-MM-DD`, `25 nov`, `nov 25`."""
    if "today" in words or "tonight" in words:
        return today
    if "tomorrow" in words:
        return today + timedelta(days=1)
    if match := re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", words):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    month_names = "|".join(MONTHS)
    if match := re.search(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({month_names})[a-z]*\b", words):
        return _upcoming_date(today, MONTHS.index(match[2]) + 1, int(match[1]))
    if match := re.search(rf"\b({month_names})[a-z]* (\d{{1,2}})(?:st|nd|rd|th)?\b", words):
        return _upcoming_date(today, MONTHS.index(match[1]) + 1, int(match[2]))
    for index, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", words):
            return today + timedelta(days=(index - today.weekday()) % 7)
    return None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _upcoming_date(today: date, month: int, day: int) -> date | None:
    this_year = _date(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _date(today.year + 1, month, day)


# -- the member's data


def _upcoming(user_id: str, now: datetime) -> list[tuple[Any, Any]]:
    """The member's confirmed or held bookings of sessions still ahead, soonest first."""

    pairs = []
    for booking in scheduling.Booking.gsi1.query(f"MEMBER#{user_id}"):
        if booking.status not in ("confirmed", "pending_payment"):
            continue
        session = get_item(scheduling.Session, scheduling.Session.key(booking.session_id))
        if session is not None and session.starts_at > clock.to_iso(now) and session.status != "cancelled":
            pairs.append((booking, session))
    return sorted(pairs, key=lambda pair: pair[1].starts_at)


def _trainer_words(words: str) -> list[str]:
    match = re.search(r"\bwith ([a-z][a-z ]*)", words)
    return [w for w in match[1].split() if w not in FILLER] if match else []


def _trainer_names(trainer_ids: set[str]) -> dict[str, str]:

    names = {}
    for trainer_id in trainer_ids:
        trainer = get_item(scheduling.Trainer, scheduling.Trainer.key(trainer_id))
        if trainer is not None:
            names[trainer_id] = trainer.name.lower()
    return names


def _local(session: Any, zone: ZoneInfo) -> datetime:
    return clock.parse(session.starts_at).astimezone(zone)


def _local_date(session: Any, zone: ZoneInfo) -> date:
    return _local(session, zone).date()


def _when(session: Any, zone: ZoneInfo) -> str:
    local = _local(session, zone)
    return f"{local:%A %d %B at %H:%M} ({local.tzname()})"


def _where(session: Any) -> str:
    if session.kind == "live":
        return ", live online"
    return f" at {session.location}" if session.location else ""
