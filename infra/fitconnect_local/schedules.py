"""Schedules fire locally: moto accepts EventBridge and Scheduler schedules but never fires them.

Expressions: `rate(N minute|minutes|hour|hours|day|days)`, AWS's six-field
`cron(minutes hours day-of-month month day-of-week year)` (with `*`, `?`, ranges, steps, lists,
names and `L` for the last day of the month), and Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)`,
in `ScheduleExpressionTimezone` for ScheduleV2. Anything else is rejected at start.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fitconnect_local.functions import SCHEDULE_TYPES, FunctionSpec
from fitconnect_local.template import ACCOUNT_ID, REGION, TemplateError

_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")
_MONTHS = {name: i for i, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_WEEKDAYS = {name: i for i, name in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}  # AWS: 1 = Sunday


@dataclass
class Cron:
    minutes: set[int]
    hours: set[int]
    days: set[int] | None  # None: any (`?` or `*`)
    last_day: bool
    months: set[int]
    weekdays: set[int] | None
    years: set[int] | None

    def matches_day(self, day: datetime) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.last_day:
            return day.day == monthrange(day.year, day.month)[1]
        if self.days is not None and day.day not in self.days:
            return False
        aws_weekday = (day.isoweekday() % 7) + 1  # Monday=1..Sunday=7 → Sunday=1..Saturday=7
        return self.weekdays is None or aws_weekday in self.weekdays

    def next_after(self, after: datetime) -> datetime | None:
        start = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self.matches_day(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute)
                        if candidate >= start:
                            return candidate
            day = (day + timedelta(days=1)).replace(hour=0, minute=0)
        return None


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    if text in {"*", "?"}:
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in {"*", ""}:
            first, last = low, high
        elif "-" in part:
            first, last = (_value(p, names) for p in part.split("-", 1))
        else:
            first = _value(part, names)
            last = high if step > 1 else first
        if not low <= first <= high or not low <= last <= high:
            raise TemplateError(f"cron field value out of range in {text!r}")
        values.update(range(first, last + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int:
    upper = text.upper()
    if names and upper in names:
        return names[upper]
    if not text.isdigit():
        raise TemplateError(f"unsupported cron token {text!r}")
    return int(text)


def parse_cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise TemplateError(f"cron needs 6 fields (min hour day month weekday year): {body!r}")
    minutes, hours, days, months, weekdays, years = fields
    if days != "?" and weekdays != "?":
        raise TemplateError(f"cron: one of day-of-month and day-of-week must be '?': {body!r}")
    return Cron(
        minutes=_field(minutes, 0, 59) or set(range(60)),
        hours=_field(hours, 0, 23) or set(range(24)),
        days=None if days == "L" else _field(days, 1, 31),
        last_day=days == "L",
        months=_field(months, 1, 12, _MONTHS) or set(range(1, 13)),
        weekdays=_field(weekdays, 1, 7, _WEEKDAYS),
        years=_field(years, 1970, 2199),
    )


class Expression:
    """When a schedule fires next, after a given moment (None: never again)."""

    def __init__(self, expression: str, timezone: str | None = None) -> None:
        self.text = expression.strip()
        self.zone = ZoneInfo(timezone) if timezone else UTC
        self._rate: timedelta | None = None
        self._cron: Cron | None = None
        self._at: datetime | None = None
        rate = _RATE.fullmatch(self.text)
        if rate:
            amount, unit = int(rate.group(1)), rate.group(2).rstrip("s")
            self._rate = timedelta(**{f"{unit}s": amount})
        elif self.text.startswith("cron(") and self.text.endswith(")"):
            self._cron = parse_cron(self.text[5:-1])
        elif self.text.startswith("at(") and self.text.endswith(")"):
            self._at = datetime.fromisoformat(self.text[3:-1]).replace(tzinfo=self.zone)
        else:
            raise TemplateError(f"unsupported schedule expression {expression!r}")

    def next_after(self, after: datetime) -> datetime | None:
        if self._rate is not None:
            return after + self._rate
        if self._at is not None:
            return self._at if self._at > after else None
        assert self._cron is not None
        local = self._cron.next_after(after.astimezone(self.zone).replace(tzinfo=None))
        return local.replace(tzinfo=self.zone).astimezone(UTC) if local else None


@dataclass
class ScheduleJob:
    function_id: str
    name: str
    kind: str
    expression: Expression
    input: str | None
    enabled: bool
    next_at: datetime | None = None

    def payload(self, fired_at: datetime) -> Any:
        if self.input is not None:
            return json.loads(self.input)
        if self.kind == "ScheduleV2":
            return {}  # EventBridge Scheduler sends the target's Input, here none
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT_ID,
            "time": fired_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{self.function_id}-{self.name}"],
            "detail": {},
        }


def schedule_jobs(functions: dict[str, FunctionSpec]) -> list[ScheduleJob]:
    jobs = []
    for function_id, spec in functions.items():
        for source in spec.events_of(*SCHEDULE_TYPES):
            props = source.properties
            expression = (
                props.get("Schedule") if source.type == "Schedule" else props.get("ScheduleExpression")
            )
            timezone = props.get("ScheduleExpressionTimezone") if source.type == "ScheduleV2" else None
            enabled = props.get("Enabled", True) is not False and props.get("State", "ENABLED") == "ENABLED"
            jobs.append(
                ScheduleJob(
                    function_id,
                    source.name,
                    source.type,
                    Expression(str(expression), timezone),
                    props.get("Input"),
                    enabled,
                )
            )
    return jobs


class Scheduler(threading.Thread):
    def __init__(
        self,
        jobs: list[ScheduleJob],
        fire: Callable[[ScheduleJob, datetime], None],
        stop: threading.Event,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(name="scheduler", daemon=True)
        self.jobs = jobs
        self.fire = fire
        self.stop_event = stop
        self.now = now
        self._kick = threading.Event()
        started = now()
        for job in jobs:
            job.next_at = job.expression.next_after(started) if job.enabled else None

    def kick(self) -> None:
        """Look again now: the clock was moved (POST /_local/clock), so schedules may be due."""
        self._kick.set()

    def rebase(self, current: datetime) -> None:
        """After the clock moved back, no job waits longer than one period from `current`."""
        for job in self.jobs:
            if job.next_at is not None:
                upcoming = job.expression.next_after(current)
                job.next_at = min(job.next_at, upcoming) if upcoming else job.next_at

    def run(self) -> None:
        while not self.stop_event.is_set():
            pending = [job.next_at for job in self.jobs if job.next_at is not None]
            wait_s = (min(pending) - self.now()).total_seconds() if pending else 60.0
            if wait_s > 0:
                self._kick.wait(min(wait_s, 30))
                self._kick.clear()
            if self.stop_event.is_set():
                return
            current = self.now()
            self.rebase(current)
            self.fire_due(current)

    def fire_due(self, current: datetime) -> None:
        """Fire every job whose time has come, once, and schedule its next run."""
        for job in self.jobs:
            if job.next_at is not None and job.next_at <= current:
                self.fire(job, current)
                job.next_at = job.expression.next_after(current)
