"""Reports for admins and trainers, from daily aggregates the domain events keep.

Counting (`count`, the UpdateReports consumer): each event adds to the rows of its day — the
total, its trainer, its session kind — in one transaction with a marker of the event's id, so a
redelivered event changes nothing. What counts where (days in UTC):
- bookings confirmed, cancelled, waitlisted, members who booked, new members, revenue and refunds:
  on the day they happened;
- sessions held, capacity, attended and no-shows: when the session is closed (`SessionEnded`), on
  the day it started; fill rate = (attended + no-shows) / capacity, the seats still booked at the
  start over the seats offered.

Reading: a report is one query of the days asked for (at most MAX_DAYS), summed in memory.
Amounts are in the gym's currency (one currency per deployment: the first seen is reported).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query
from pynamodb.exceptions import TransactWriteError

from fitconnect.analytics.models import COUNTED_DAYS, REPORTS_PK, CountedEvent, MemberDays, ReportRow
from fitconnect.platform import clock
from fitconnect.platform.contract import View
from fitconnect.platform.errors import BadRequest, NotFound
from fitconnect.platform.observability import logger
from fitconnect.platform.storage import (
    cancelled_because,
    conditional_update,
    get_item,
    transact_write,
    ttl_in,
)
from fitconnect.scheduling import public as scheduling

# The report period's query parameters (every report route takes them).
# Plain YYYY-MM-DD strings: a date type would also take `0` (the epoch) or a timestamp.
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
FromDay = Annotated[
    str | None,
    Query(
        alias="from",
        pattern=DAY_PATTERN,
        description="The first day, YYYY-MM-DD (UTC); 30 days before `to` by default.",
    ),
]
ToDay = Annotated[
    str | None,
    Query(alias="to", pattern=DAY_PATTERN, description="The last day, YYYY-MM-DD (UTC); today by default."),
]
MAX_DAYS = 366
DEFAULT_DAYS = 30
TOP = 5
Report = Literal["attendance", "revenue", "equipment"]
GroupBy = Literal["day", "week", "trainer", "kind"]
COUNTERS = (
    "confirmed", "cancelled", "waitlisted", "attended", "no_show", "sessions_held", "capacity",
    "revenue_cents", "refunds_cents", "new_members",
)  # fmt: skip


class BookingFigures(View):
    confirmed: int
    cancelled: int
    attended: int
    no_show: int
    waitlisted: int


class SummaryView(View):
    from_: str | None = None
    to: str
    bookings: BookingFigures
    fill_rate: float | None
    revenue_cents: int
    refunds_cents: int
    net_cents: int
    currency: str | None
    active_members: int
    new_members: int
    top_sessions: list[dict[str, Any]]
    top_trainers: list[dict[str, Any]]


class TrainerReportView(View):
    trainer_id: str
    from_: str | None = None
    to: str
    sessions: int
    capacity: int
    attended: int
    no_show: int
    fill_rate: float | None
    rating: dict[str, Any]
    earnings_cents: int
    currency: str | None
    by_week: list[dict[str, Any]]


# -- counting


Row = tuple[str, str, dict[str, int]]  # day, dimension, amounts to add


def count(detail_type: str, detail: dict[str, Any]) -> str:
    """Add one domain event to the report rows, once; `counted`, `repeated` or `ignored`."""
    metadata, data = detail["metadata"], detail["data"]
    day = str(metadata["occurred_at"])[:10]
    rows, extra = _rows(detail_type, data, day)
    if not rows:
        return "ignored"
    try:
        with transact_write() as transaction:
            marker = CountedEvent(
                *CountedEvent.key(metadata["event_id"]), expires_at=ttl_in(COUNTED_DAYS * 86400)
            )
            transaction.save(marker, condition=CountedEvent.pk.does_not_exist())
            for row_day, dimension, amounts in rows:
                transaction.update(
                    ReportRow(*ReportRow.key(row_day, dimension)),
                    actions=_actions(row_day, dimension, amounts, extra),
                )
            if "member" in extra:  # where their id is kept, for their erasure
                days = MemberDays(*MemberDays.key(extra["member"]))
                transaction.update(days, actions=[MemberDays.days.add({day})])
    except TransactWriteError as error:
        if "ConditionalCheckFailed" in cancelled_because(error):
            return "repeated"
        raise
    return "counted"


def _rows(detail_type: str, data: dict[str, Any], day: str) -> tuple[list[Row], dict[str, Any]]:
    """The rows an event adds to, and what it sets besides (members, currency, session names)."""
    if detail_type == "UserRegistered":
        return [(day, "TOTAL", {"new_members": 1})], {}
    if detail_type == "SessionEnded":
        return _closed(data)
    if detail_type in PRICING_REVENUE:  # memberships, packs and fees: the studio's, not a session's
        return [(day, "TOTAL", PRICING_REVENUE[detail_type](data))], {"currency": data["currency"]}
    amounts = _booking_amounts(detail_type, data)
    if not amounts:
        return [], {}
    session = _session_of_event(data)
    if session is None:
        return [], {}
    extra = {"member": data["user_id"]} if detail_type == "BookingConfirmed" else {}
    if "currency" in data:
        extra["currency"] = data["currency"]
    return [(day, dimension, amounts) for dimension in _dimensions(session)], extra


def _booking_amounts(detail_type: str, data: dict[str, Any]) -> dict[str, int]:
    match detail_type:
        case "BookingConfirmed":
            return {"confirmed": 1}
        case "BookingCreated" if data.get("status") == "waitlisted":
            return {"waitlisted": 1}
        case "BookingCancelled":
            return {"cancelled": 1}
        case "PaymentSucceeded":
            return {"revenue_cents": int(data["amount_cents"])}
        case "PaymentRefunded":  # one refund (a payment may be refunded in parts)
            return {"refunds_cents": int(data.get("refund_cents", data["amount_cents"]))}
    return {}


PRICING_REVENUE = {
    "PurchaseCompleted": lambda data: {"revenue_cents": int(data["amount_cents"])},
    "RenewalPaid": lambda data: {"revenue_cents": int(data["amount_cents"])},
    "PenaltyCharged": lambda data: {"revenue_cents": int(data["fee_cents"])},
    "PenaltyWaived": lambda data: {"refunds_cents": int(data["refund_cents"])},
}


def _session_of_event(data: dict[str, Any]) -> Any:
    """The session an event is about (a payment's through its booking); None if there is none,
    which no event of ours should be (sessions are cancelled, never deleted): logged, not counted."""
    session_id = data.get("session_id")
    if session_id is None and data.get("booking_id"):
        booking = scheduling.booking_or_none(str(data["booking_id"]))
        session_id = booking.session_id if booking is not None else None
    try:
        return scheduling.session_of(str(session_id)) if session_id else None
    except NotFound:
        logger.warning("report event for an unknown session", extra={"session_id": session_id})
        return None


def _closed(data: dict[str, Any]) -> tuple[list[Row], dict[str, Any]]:
    if "attended" not in data:  # Zoom's SessionEnded (a live meeting ended): attendance closes later
        return [], {}
    session = scheduling.session_of(str(data["session_id"]))
    day = session.starts_at[:10]
    attended, no_show, capacity = int(data["attended"]), int(data["no_shows"]), int(session.capacity)
    amounts = {"sessions_held": 1, "capacity": capacity, "attended": attended, "no_show": no_show}
    rows = [(day, dimension, amounts) for dimension in _dimensions(session)]
    rows.append((day, f"SESSION#{session.session_id}", amounts))
    return rows, {"title": session.title, "trainer_id": session.trainer_id}


def _dimensions(session: Any) -> list[str]:
    return ["TOTAL", f"TRAINER#{session.trainer_id}", f"KIND#{session.kind}"]


def _actions(day: str, dimension: str, amounts: dict[str, int], extra: dict[str, Any]) -> list[Any]:
    actions = [ReportRow.day.set(day), ReportRow.dimension.set(dimension)]
    actions += [getattr(ReportRow, name).add(amount) for name, amount in amounts.items()]
    if dimension.startswith("TRAINER#"):
        actions += [ReportRow.gsi1pk.set(dimension), ReportRow.gsi1sk.set(day)]
    if dimension == "TOTAL" and "member" in extra:
        actions.append(ReportRow.members.add({extra["member"]}))
    if "currency" in extra:
        actions.append(ReportRow.currency.set(extra["currency"]))
    if dimension.startswith("SESSION#"):
        actions += [ReportRow.title.set(extra["title"]), ReportRow.trainer_id.set(extra["trainer_id"])]
    return actions


def forget(user_id: str) -> None:
    """The member's id leaves every day's active members (GDPR erasure; they are no longer counted
    there). Repeatable."""
    kept = get_item(MemberDays, MemberDays.key(user_id), consistent=True)
    if kept is None:
        return
    for day in sorted(kept.days or []):
        row = ReportRow(*ReportRow.key(day, "TOTAL"))
        conditional_update(row, [ReportRow.members.delete({user_id})], ReportRow.pk.exists())
    kept.delete()


# -- reading


def period(since: str | None, until: str | None, today: date) -> tuple[date, date]:
    """The days asked for (inclusive), by default the last 30; a 400 naming the field when a day
    does not exist, or the range is reversed or too long."""
    last = _day("to", until) or today
    first = _day("from", since) or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last or (last - first).days >= MAX_DAYS:
        raise BadRequest(
            f"`from` must not be after `to`, and a report covers at most {MAX_DAYS} days.",
            code="validation_failed",
            details=[{"field": "from", "in": "query", "message": f"at most {MAX_DAYS} days before `to`"}],
        )
    return first, last


def _day(field: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(
            f"`{field}` is not a day.",
            code="validation_failed",
            details=[{"field": field, "in": "query", "message": "a calendar day, YYYY-MM-DD"}],
        ) from None


def rows_between(since: date, until: date) -> list[ReportRow]:
    low, high = f"{since.isoformat()}#", f"{until.isoformat()}#~"
    return list(ReportRow.query(REPORTS_PK, ReportRow.sk.between(low, high)))


def _sum(rows: Iterable[ReportRow]) -> dict[str, int]:
    totals = dict.fromkeys(COUNTERS, 0)
    for row in rows:
        for name in COUNTERS:
            totals[name] += int(getattr(row, name) or 0)
    return totals


def _fill_rate(totals: dict[str, int]) -> float | None:
    booked = totals["attended"] + totals["no_show"]
    return round(booked / totals["capacity"], 3) if totals["capacity"] else None


def _currency(rows: Iterable[ReportRow]) -> str | None:
    return next((row.currency for row in rows if row.currency), None)


def summary(since: date, until: date) -> dict[str, Any]:
    rows = rows_between(since, until)
    totals_rows = [row for row in rows if row.dimension == "TOTAL"]
    totals = _sum(totals_rows)
    members = set().union(*(row.members or set() for row in totals_rows))
    return {
        "from": since.isoformat(),
        "to": until.isoformat(),
        "bookings": {
            name: totals[name] for name in ("confirmed", "cancelled", "attended", "no_show", "waitlisted")
        },
        "fill_rate": _fill_rate(totals),
        "revenue_cents": totals["revenue_cents"],
        "refunds_cents": totals["refunds_cents"],
        "net_cents": _net(totals),
        "currency": _currency(totals_rows),
        "active_members": len(members),
        "new_members": totals["new_members"],
        "top_sessions": _top_sessions(rows),
        "top_trainers": _top_trainers(rows),
    }


def _top_sessions(rows: list[ReportRow]) -> list[dict[str, Any]]:
    held = [row for row in rows if (row.dimension or "").startswith("SESSION#")]
    ranked = sorted(held, key=lambda r: (-int(r.attended or 0), -(_fill_rate(_sum([r])) or 0), r.sk))
    return [
        {
            "session_id": row.dimension.removeprefix("SESSION#"),
            "title": row.title,
            "trainer_id": row.trainer_id,
            "day": row.day,
            "attended": int(row.attended or 0),
            "capacity": int(row.capacity or 0),
            "fill_rate": _fill_rate(_sum([row])),
        }
        for row in ranked[:TOP]
    ]


def _top_trainers(rows: list[ReportRow]) -> list[dict[str, Any]]:
    by_trainer = _grouped([r for r in rows if (r.dimension or "").startswith("TRAINER#")], "trainer")
    ranked = sorted(by_trainer.items(), key=lambda item: (-_net(item[1]), -item[1]["attended"], item[0]))
    return [
        {
            "trainer_id": trainer_id,
            "attended": totals["attended"],
            "net_cents": _net(totals),
            "fill_rate": _fill_rate(totals),
        }
        for trainer_id, totals in ranked[:TOP]
    ]


def _net(totals: dict[str, int]) -> int:
    return totals["revenue_cents"] - totals["refunds_cents"]


def _grouped(rows: Iterable[ReportRow], group_by: str) -> dict[str, dict[str, int]]:
    groups: dict[str, list[ReportRow]] = defaultdict(list)
    for row in rows:
        groups[_group_key(row, group_by)].append(row)
    return {key: _sum(members) for key, members in sorted(groups.items())}


def _group_key(row: ReportRow, group_by: str) -> str:
    # "TRAINER#<id>" or "KIND#<kind>" names a line by what follows the "#"; a TOTAL row (grouped by
    # day or week) has no such part.
    return _line_key(str(row.day), group_by, str(row.dimension).partition("#")[2])


def _line_key(day: str, group_by: str, dimension: str) -> str:
    """A report line's key: the day, its week's Monday, or the trainer or kind it is about."""
    match group_by:
        case "day":
            return day
        case "week":
            return clock.monday_of(date.fromisoformat(day)).isoformat()
    return dimension


def report(
    kind: Report, since: date, until: date, group_by: GroupBy, equipment_usage: Any = None
) -> list[dict[str, Any]]:
    """One report's lines, by `group_by`: attendance and revenue from the report rows; equipment
    from the machines' daily usage (`equipment_usage`: inventory's, by kind and day)."""
    if kind == "equipment":
        return _equipment(since, until, group_by, equipment_usage or {})
    rows = rows_between(since, until)
    source = {"trainer": "TRAINER#", "kind": "KIND#"}.get(group_by)
    chosen = (
        [r for r in rows if (r.dimension or "").startswith(source)]
        if source
        else [r for r in rows if r.dimension == "TOTAL"]
    )
    line = _attendance_line if kind == "attendance" else _revenue_line
    currency = _currency(chosen)
    return [{group_by: key, **line(totals, currency)} for key, totals in _grouped(chosen, group_by).items()]


def _attendance_line(totals: dict[str, int], _currency: str | None) -> dict[str, Any]:
    return {
        "sessions": totals["sessions_held"],
        "capacity": totals["capacity"],
        "attended": totals["attended"],
        "no_show": totals["no_show"],
        "fill_rate": _fill_rate(totals),
        "confirmed": totals["confirmed"],
        "cancelled": totals["cancelled"],
        "waitlisted": totals["waitlisted"],
    }


def _revenue_line(totals: dict[str, int], currency: str | None) -> dict[str, Any]:
    return {
        "revenue_cents": totals["revenue_cents"],
        "refunds_cents": totals["refunds_cents"],
        "net_cents": _net(totals),
        "currency": currency,
    }


def _equipment(
    since: date, until: date, group_by: str, usage: dict[tuple[str, str], tuple[float, int]]
) -> list[dict[str, Any]]:
    if group_by == "trainer":
        only = {"field": "group_by", "in": "query", "message": "one of: day, week, kind"}
        raise BadRequest("Equipment is not grouped by trainer.", code="validation_failed", details=[only])
    groups: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    for (kind, day), (seconds, machines) in usage.items():
        if not since.isoformat() <= day <= until.isoformat():
            continue
        key = _line_key(day, group_by, kind)
        groups[key][0] += seconds
        groups[key][1] = max(groups[key][1], machines)
    return [
        {group_by: key, "usage_seconds": round(seconds), "machines": machines}
        for key, (seconds, machines) in sorted(groups.items())
    ]


def as_csv(lines: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if lines:
        writer = csv.DictWriter(out, fieldnames=list(lines[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(lines)
    return out.getvalue()


def trainer_report(trainer_id: str, since: date, until: date) -> dict[str, Any]:
    rows = list(
        ReportRow.gsi1.query(
            f"TRAINER#{trainer_id}", ReportRow.gsi1sk.between(since.isoformat(), until.isoformat())
        )
    )
    totals = _sum(rows)
    trainer = scheduling.trainer_of(trainer_id)
    return {
        "trainer_id": trainer_id,
        "from": since.isoformat(),
        "to": until.isoformat(),
        "sessions": totals["sessions_held"],
        "capacity": totals["capacity"],
        "attended": totals["attended"],
        "no_show": totals["no_show"],
        "fill_rate": _fill_rate(totals),
        "rating": scheduling.rating_of(trainer),
        "earnings_cents": _net(totals),
        "currency": _currency(rows),
        "by_week": [
            {"week": week, "attended": t["attended"], "earnings_cents": _net(t)}
            for week, t in _grouped(rows, "week").items()
        ],
    }
