"""What a notification says: subject, text and an optional calendar file per template, from the
session (and booking) it is about, in the member's time zone. Subjects end up in mail headers, SMS
and push titles: the sender makes them one line (platform.text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fitconnect.members.public import timezone_of
from fitconnect.notifications.models import Notification
from fitconnect.platform import clock
from fitconnect.platform.errors import NotFound
from fitconnect.platform.storage import plain_map
from fitconnect.scheduling import public as scheduling


def render(notification: Notification, secret: dict[str, str]) -> tuple[str, str, bytes | None]:
    """Subject, text and an optional .ics attachment for the notification's template. The session
    (and the booking, when the .ics or the session id needs it) is read once."""
    data = plain_map(notification.data)
    template = notification.template
    match template:
        case "welcome":
            return (
                "Welcome to FitConnect",
                "Your account is ready. Find a class or a trainer, book your seat, and we will remind "
                "you before it starts. Choose how we reach you in your notification settings.",
                None,
            )
        case "password_reset":
            return (
                "Your FitConnect password reset code",
                f"Your password reset code is {secret.get('code', '')}. It is valid for 15 minutes and "
                "can be used once.\nIf you did not ask for it, ignore this e-mail: your password has "
                "not changed.",
                None,
            )
        case "weekly_summary":
            return weekly_summary(data)
        case "purchase_receipt" | "membership_suspended":
            return _pricing(template, data)
    needs_booking = template == "booking_confirmed" or not data.get("session_id")
    booking_id = data.get("booking_id") if needs_booking else None
    booking = scheduling.booking_or_none(str(booking_id)) if booking_id else None
    session = session_or_none(data.get("session_id") or (booking.session_id if booking is not None else None))
    line = _session_line(session, timezone_of(notification.user_id))
    amount = _money(data)
    match template:
        case "booking_confirmed":
            ics = _ics(booking, session)
            return f"Booked: {line}", f"You're booked for {line}. The calendar file is attached.", ics
        case "waitlist_promoted":
            detail = "Pay within 15 minutes to keep it." if data.get("status") == "pending_payment" else ""
            return f"A place opened up: {line}", f"You have a place in {line}. {detail}".strip(), None
        case "session_cancelled":
            refunded = _money({**data, "amount_cents": data.get("refund_cents")})
            refund = f" Your {refunded} will be refunded in full." if data.get("refund_cents") else ""
            return (
                f"Class cancelled: {line}",
                f"We're sorry: {line} has been cancelled by the studio.{refund} Your other bookings "
                "are unchanged.",
                None,
            )
        case "booking_cancelled":
            verb = "expired (unpaid)" if data.get("status") == "expired" else "was cancelled"
            refunded = _money({**data, "amount_cents": data.get("refund_cents")})
            refund = f" {refunded} will be refunded." if data.get("refund_cents") else ""
            return f"Booking {verb}: {line}", f"Your booking for {line} {verb}.{refund}", None
        case "payment_receipt":
            return f"Receipt: {amount}", f"We received {amount} for {line}. Thank you!", None
        case "refund":  # this refund's amount (a partial one is not the whole payment)
            refunded = _money({**data, "amount_cents": data.get("refund_cents", data["amount_cents"])})
            return f"Refund: {refunded}", f"We refunded {refunded} for {line}.", None
        case "reminder":
            return f"Reminder: {line}", f"{line} starts in {_time_left(session)}. See you there!", None
        case "penalty":
            return _penalty(data, line)
    return "FitConnect", "You have a new notification.", None


def weekly_summary(data: dict[str, Any]) -> tuple[str, str, None]:
    """The week in review: only figures and FitConnect's own advice (no text from anyone)."""
    sessions = int(data["sessions"])
    hours, minutes = divmod(int(data["duration_s"]) // 60, 60)
    lines = [
        f"{sessions} session{'s' if sessions != 1 else ''}, {hours} h {minutes:02d} min"
        + (f", {float(data['distance_m']) / 1000:.1f} km" if float(data["distance_m"]) else "")
        + f", training load {float(data['load']):g}.",
        f"Your load is {str(data['status']).replace('_', ' ')}"
        + (f" (acute:chronic ratio {float(data['acwr']):g})." if data.get("acwr") is not None else "."),
    ]
    if int(data["records"]):
        lines.append(f"New personal records: {int(data['records'])}. Well done!")
    if data.get("advice"):
        lines.append(str(data["advice"]))
    return f"Your week: {sessions} session{'s' if sessions != 1 else ''}", "\n".join(lines), None


def _pricing(template: str, data: dict[str, Any]) -> tuple[str, str, None]:
    """A purchase's receipt or a suspended membership. The product's name is the studio's text:
    the sender makes the subject one line (platform.text)."""
    amount, name = _money(data), str(data.get("name") or "your membership")
    if template == "purchase_receipt":
        return f"Receipt: {name}", f"We received {amount} for {name}. It is ready to book with.", None
    return (
        f"Payment failed: {name}",
        f"We could not take {amount} for {name}, so it does not cover classes for now. Update your "
        "card and it starts again as soon as the payment goes through.",
        None,
    )


def _penalty(data: dict[str, Any], line: str) -> tuple[str, str, None]:
    what = "Late cancellation" if data.get("reason") == "late_cancel" else "Missed class"
    fee = _money({**data, "amount_cents": data.get("fee_cents")})
    outcome = {
        "excused": "This one is on us: your credit is back.",
        "credit_forfeited": "The class credit it used is not returned.",
        "charged": f"A fee of {fee} was charged to your card.",
        "owed": f"A fee of {fee} is due: your card was declined.",
    }.get(str(data.get("status")), "")
    return f"{what}: {line}", f"{what} for {line}. {outcome}".strip(), None


def session_or_none(session_id: str | None) -> Any:

    if not session_id:
        return None
    try:
        return scheduling.session_of(str(session_id))
    except NotFound:
        return None


def starts_of(session: Any) -> datetime:
    return clock.parse(session.starts_at)


def _session_line(session: Any, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    if session is None:
        return "your class"
    local = starts_of(session).astimezone(ZoneInfo(timezone))
    return f"{session.title} on {local:%a %d %b at %H:%M} ({local.tzname()})"


def _time_left(session: Any) -> str:
    if session is None:
        return "a while"
    minutes = max(0, round((starts_of(session) - clock.now()).total_seconds() / 60))
    return f"about {round(minutes / 60)} hours" if minutes >= 120 else f"{minutes} minutes"


def _money(data: dict[str, Any]) -> str:
    cents, currency = int(data.get("amount_cents") or 0), str(data.get("currency") or "usd").upper()
    return f"{cents / 100:.2f} {currency}"


def _ics(booking: Any, session: Any) -> bytes | None:

    if booking is None or session is None:
        return None
    return scheduling.calendar_file([booking], {booking.session_id: session})
