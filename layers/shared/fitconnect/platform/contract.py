"""The building blocks of every request model: strict types, bounded values, sane dates.

`RequestBody` is strict (no `"yes"` → `true`, no `"60"` → `60`, no `["60"]` → `[60]`) and refuses
unknown fields. A date-time is an ISO 8601 string with an offset (never a number) between the
years 2000 and 2100, so arithmetic on it (a 30-day range, a weekly series) cannot leave the
calendar. A currency is one Stripe charges in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Strict,
    StringConstraints,
    WithJsonSchema,
)

from fitconnect.platform.text import has_control

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

# ISO 4217 codes Stripe charges in (https://docs.stripe.com/currencies), lower case as Stripe writes them.
STRIPE_CURRENCIES = frozenset(
    """usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd
    cad cdf chf clp cny cop crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd
    hkd hnl htg huf idr ils inr isk jmd jpy kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga
    mkd mmk mnt mop mur mvr mwk mxn myr mzn nad ngn nio nok npr nzd pab pen pgk php pkr pln pyg qar ron
    rsd rwf sar sbd scr sek sgd shp sle sos srd szl thb tjs top try ttd twd tzs uah ugx uyu uzs vnd vuv
    wst xaf xcd xof xpf yer zar zmw""".split()
)


class View(BaseModel):
    """Base of every response model. Built on first use (a serialisation, the OpenAPI document), not
    at import: a function imports the views of every route of its context and answers with one."""

    model_config = ConfigDict(defer_build=True)


class RequestBody(BaseModel):
    # defer_build: a body's validator is built when it is first used, not when its module is
    # imported; a function imports many bodies it never reads (a booking imports the session's).
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str | datetime):  # a datetime only comes from our own code, never JSON
        raise ValueError("must be an ISO 8601 date-time string with an offset, e.g. 2026-12-01T18:00:00Z")
    return value


def _within_the_calendar(moment: datetime) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise ValueError(f"must be between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return moment


def _stripe_currency(value: Any) -> Any:
    if not isinstance(value, str) or value.lower() not in STRIPE_CURRENCIES:
        raise ValueError("must be an ISO 4217 currency code Stripe charges in, e.g. eur or usd")
    return value.lower()


Instant = Annotated[
    AwareDatetime, Strict(False), BeforeValidator(_iso_text), AfterValidator(_within_the_calendar)
]
Currency = Annotated[
    str,
    BeforeValidator(_stripe_currency),
    WithJsonSchema(
        {"type": "string", "pattern": "^[A-Za-z]{3}$", "description": "ISO 4217, one Stripe charges in"}
    ),
]
# An id of ours in a body (a ULID, or a seeded demo id): bounded, no spaces or control characters.
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _single_line(value: str) -> str:
    if has_control(value):
        raise ValueError("must be one line without control characters")
    return value


def _plain(value: str) -> str:
    if has_control(value, line_breaks_allowed=True):
        raise ValueError("must not contain control characters other than line breaks")
    return value.replace("\r\n", "\n")


# User text that reaches e-mail headers, SMS, push titles and calendars (names, titles, places),
# and longer text that keeps its line breaks (a bio, a review): no other control character.
SingleLine = AfterValidator(_single_line)
PlainText = AfterValidator(_plain)
