"""The analytics lake's named queries (the SQL Athena runs in AWS) run by DuckDB over a generated
archive laid out as the archivers write it: known events in, the expected rows out."""

import json
from datetime import UTC, datetime

import pytest

from fitconnect.analytics.event_archive import BusEvent, archive_key
from fitconnect_local.lake import duckdb_type, glue_columns, named_queries, run


class Archive:
    """A directory shaped like the analytics bucket, filled through the archivers' own key scheme."""

    def __init__(self, root):
        self.root = root
        self.count = 0

    def event(self, detail_type, source, when, **data):
        self.count += 1
        envelope = {
            "version": "0",
            "id": f"eb-{self.count}",
            "detail-type": detail_type,
            "source": source,
            "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "detail": {
                "metadata": {"event_id": f"evt-{self.count:04d}", "occurred_at": when.isoformat()},
                "data": data,
            },
        }
        raw = json.dumps(envelope)
        path = self.root / archive_key(BusEvent.model_validate_json(raw))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(raw)

    def telemetry(self, day, batch, messages):
        path = self.root / f"telemetry/dt={day}/{batch}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(json.dumps(message) for message in messages) + "\n")


NOV = datetime(2026, 11, 10, 9, tzinfo=UTC)
DEC = datetime(2026, 12, 2, 9, tzinfo=UTC)


@pytest.fixture
def archive(tmp_path):
    lake = Archive(tmp_path)
    # Two classes: HIIT held twice (10 seats each: 8+1 and 5+0 used), Yoga once (4 seats, all used).
    for when, title, capacity, attended, no_shows in (
        (NOV, "HIIT", 10, 8, 1),
        (DEC, "HIIT", 10, 5, 0),
        (DEC, "Yoga", 4, 3, 1),
    ):
        lake.event("SessionEnded", "fitconnect.scheduling", when, session_id=f"s-{title}-{when:%m}",
                   title=title, capacity=capacity, attended=attended, no_shows=no_shows)  # fmt: skip
    lake.event("SessionEnded", "fitconnect.scheduling", DEC, session_id="zoom-only")  # Zoom's: no attendance
    # Money: November 2000 + 5000, a 500 refund; December a 9900 renewal and a 1500 fee, then waived.
    lake.event("PaymentSucceeded", "fitconnect.payments", NOV, amount_cents=2000, currency="usd")
    lake.event("PurchaseCompleted", "fitconnect.pricing", NOV, amount_cents=5000, currency="usd")
    lake.event("PaymentRefunded", "fitconnect.payments", NOV, amount_cents=2000, refund_cents=500)
    lake.event("RenewalPaid", "fitconnect.pricing", DEC, amount_cents=9900, currency="usd")
    lake.event("PenaltyCharged", "fitconnect.pricing", DEC, fee_cents=1500, currency="usd")
    lake.event("PenaltyWaived", "fitconnect.pricing", DEC, fee_cents=1500, refund_cents=1500)
    # Cohorts: two November members (4 bookings, 1 no-show), one December member (2 bookings, 2 no-shows).
    for user, month in (("ann", NOV), ("bob", NOV), ("cy", DEC)):
        lake.event(
            "UserRegistered", "fitconnect.identity", month, user_id=user, role="member", via="password"
        )
    for user, bookings in (("ann", 3), ("bob", 1), ("cy", 2)):
        for n in range(bookings):
            lake.event(
                "BookingConfirmed", "fitconnect.scheduling", DEC, user_id=user, booking_id=f"{user}-{n}"
            )
    lake.event("BookingConfirmed", "fitconnect.scheduling", DEC, user_id="ann", booking_id="ann-0")  # again
    for user, booking in (("bob", "bob-0"), ("cy", "cy-0"), ("cy", "cy-1")):
        lake.event("BookingNoShow", "fitconnect.scheduling", DEC, user_id=user, booking_id=booking)
    # Telemetry: machine m1 used 300 + 600 s on Dec 2 (one message archived twice), m2 0 s.
    first = {"equipment_id": "m1", "ts": "2026-12-02T08:00:00.000Z", "in_use": True, "usage_seconds": 300}
    lake.telemetry(
        "2026-12-02", "batch-a", [first, {**first, "ts": "2026-12-02T08:10:00.000Z", "usage_seconds": 600}]
    )
    idle = {"equipment_id": "m2", "ts": "2026-12-02T08:00:00.000Z", "in_use": False, "usage_seconds": 0}
    lake.telemetry("2026-12-02", "batch-b", [first, {**idle, "extra": 1}])
    return tmp_path


def rows_of(template, root, name):
    columns, rows = run(template, root, name)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_the_template_names_the_four_queries(template):
    assert set(named_queries(template)) == {
        "fill_rate",
        "revenue_by_month",
        "no_show_rate_by_cohort",
        "equipment_utilisation",
    }


def test_fill_rate_by_class_counts_attended_and_no_shows_over_capacity(template, archive):
    assert rows_of(template, archive, "fill_rate") == [
        {"class": "Yoga", "sessions": 1, "capacity": 4, "seats_used": 4, "fill_rate": 1.0},
        {"class": "HIIT", "sessions": 2, "capacity": 20, "seats_used": 14, "fill_rate": 0.7},
    ]


def test_revenue_by_month_adds_payments_purchases_renewals_and_fees_less_refunds(template, archive):
    assert rows_of(template, archive, "revenue_by_month") == [
        {"month": "2026-11", "revenue_cents": 7000, "refunds_cents": 500, "net_cents": 6500},
        {"month": "2026-12", "revenue_cents": 11400, "refunds_cents": 1500, "net_cents": 9900},
    ]


def test_no_show_rate_by_cohort_counts_each_booking_once(template, archive):
    assert rows_of(template, archive, "no_show_rate_by_cohort") == [
        {"cohort": "2026-11", "members": 2, "bookings": 4, "no_shows": 1, "no_show_rate": 0.25},
        {"cohort": "2026-12", "members": 1, "bookings": 2, "no_shows": 2, "no_show_rate": 1.0},
    ]


def test_equipment_utilisation_counts_a_message_archived_twice_once(template, archive):
    assert rows_of(template, archive, "equipment_utilisation") == [
        {
            "equipment_id": "m1",
            "day": "2026-12-02",
            "seconds_in_use": 900.0,
            "utilisation": round(900 / 86400, 4),
        },
        {"equipment_id": "m2", "day": "2026-12-02", "seconds_in_use": 0.0, "utilisation": 0.0},
    ]


def test_an_empty_archive_answers_no_rows(template, tmp_path):
    assert rows_of(template, tmp_path, "fill_rate") == []
    assert rows_of(template, tmp_path, "equipment_utilisation") == []


def test_glue_struct_types_become_duckdb_types(template):
    assert duckdb_type("struct<a:string,b:struct<c:bigint,d:double>>") == (
        'STRUCT("a" VARCHAR, "b" STRUCT("c" BIGINT, "d" DOUBLE))'
    )
    assert glue_columns(template, "telemetry")["usage_seconds"] == "DOUBLE"
