"""The training formulas behind insights, each with its source, as pure functions of numbers.

- Load of one session: session-RPE x minutes (Foster et al. 2001) when the member gave an RPE;
  else Banister's TRIMP from heart rate (Banister 1991; men's coefficients 0.64*e^(1.92*x), as the
  member's sex is not asked); else minutes x DEFAULT_RPE, a moderate session.
- Acute and chronic load: rolling means of daily load over 7 and 28 days, rest days counting as
  zero; ACWR = acute / chronic (Gabbett 2016; rolling, not EWMA), banded < 0.8 low, 0.8-1.3 optimal,
  1.3-1.5 high, > 1.5 very high.
- Monotony = mean / standard deviation of the last 7 daily loads; strain = the 7 days' load x
  monotony (Foster 1998). A week of identical loads has no finite monotony: reported as None.
- Estimated one-repetition maximum: Epley, weight x (1 + reps / 30); one rep is the weight itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

DEFAULT_RPE = 5  # "hard-ish": the load of a session nobody rated, per minute
DEFAULT_REST_HR, DEFAULT_MAX_HR = 60, 190  # for TRIMP when the activity does not give its maximum
ACUTE_DAYS, CHRONIC_DAYS = 7, 28


def session_rpe_load(rpe: float, minutes: float) -> float:
    return rpe * minutes


def trimp(minutes: float, avg_hr: float, rest_hr: float, max_hr: float) -> float:
    """Banister's TRIMP: minutes x fraction of heart-rate reserve x 0.64*e^(1.92*fraction)."""
    reserve = (avg_hr - rest_hr) / (max_hr - rest_hr)
    reserve = min(max(reserve, 0.0), 1.0)
    return minutes * reserve * 0.64 * math.exp(1.92 * reserve)


def session_load(
    minutes: float,
    *,
    rpe: float | None = None,
    avg_hr: float | None = None,
    rest_hr: float = DEFAULT_REST_HR,
    max_hr: float = DEFAULT_MAX_HR,
) -> tuple[float, str]:
    """The session's load and the method that gave it (`session_rpe`, `trimp` or `default`)."""
    if rpe is not None:
        return round(session_rpe_load(rpe, minutes), 1), "session_rpe"
    if avg_hr is not None and max_hr > rest_hr:
        return round(trimp(minutes, avg_hr, rest_hr, max_hr), 1), "trimp"
    return round(session_rpe_load(DEFAULT_RPE, minutes), 1), "default"


def daily_series(loads_by_day: dict[date, float], end: date, days: int) -> list[float]:
    """The `days` daily loads up to and including `end`, zero on rest days."""
    return [loads_by_day.get(end - timedelta(days=back), 0.0) for back in range(days - 1, -1, -1)]


def training_load(loads_by_day: dict[date, float], today: date) -> dict[str, float | str | None]:
    acute = sum(daily_series(loads_by_day, today, ACUTE_DAYS)) / ACUTE_DAYS
    chronic = sum(daily_series(loads_by_day, today, CHRONIC_DAYS)) / CHRONIC_DAYS
    ratio = acute / chronic if chronic else None
    return {
        "acute_7d": round(acute, 1),
        "chronic_28d": round(chronic, 1),
        "acwr": round(ratio, 2) if ratio is not None else None,
        "status": acwr_status(ratio),
    }


def acwr_status(ratio: float | None) -> str:
    """< 0.8 low (or no chronic load yet), 0.8-1.3 optimal, up to 1.5 high, beyond very high."""
    if ratio is None or ratio < 0.8:
        return "low"
    if ratio <= 1.3:
        return "optimal"
    return "high" if ratio <= 1.5 else "very_high"


def monotony_and_strain(week: Sequence[float]) -> tuple[float | None, float | None]:
    """Foster's monotony (mean / sd of the daily loads, population sd) and strain (total x monotony).
    Seven equal days have no finite monotony: both None (and a week of rest: None and 0)."""
    mean = sum(week) / len(week)
    sd = math.sqrt(sum((load - mean) ** 2 for load in week) / len(week))
    if sd == 0:
        return None, (None if mean else 0.0)
    monotony = mean / sd
    return round(monotony, 2), round(sum(week) * monotony, 1)


def estimated_1rm(weight_kg: float, reps: int) -> float:
    """Epley's estimate; one rep is the weight itself."""
    return round(weight_kg if reps == 1 else weight_kg * (1 + reps / 30), 1)


def streak_days(active_days: set[date], today: date) -> int:
    """Days in a row with training, ending today (or yesterday: today is not over)."""
    day = today if today in active_days else today - timedelta(days=1)
    count = 0
    while day in active_days:
        count, day = count + 1, day - timedelta(days=1)
    return count
