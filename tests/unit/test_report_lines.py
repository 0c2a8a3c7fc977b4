"""Report lines from the report rows, in process against moto: each grouping the API offers."""

from datetime import date

import pytest


@pytest.fixture
def reports(function_env):
    with function_env("AdminReportFunction"):
        from fitconnect.analytics import reports
        from fitconnect.analytics.models import ReportRow

        for day, dimension in (
            ("2026-11-23", "TOTAL"),
            ("2026-11-24", "TOTAL"),
            ("2026-11-23", "TRAINER#t1"),
        ):
            row = ReportRow(*ReportRow.key(day, dimension), day=day, dimension=dimension)
            row.sessions_held, row.capacity, row.attended, row.no_show = 1, 10, 8, 1
            row.save()
        yield reports


@pytest.mark.parametrize(
    ("group_by", "keys"),
    [("day", ["2026-11-23", "2026-11-24"]), ("week", ["2026-11-23"]), ("trainer", ["t1"])],
)
def test_attendance_groups_by_day_week_or_trainer(reports, group_by, keys):
    lines = reports.report("attendance", date(2026, 11, 23), date(2026, 11, 29), group_by)
    assert [line[group_by] for line in lines] == keys
    assert sum(line["attended"] for line in lines) == (8 if group_by == "trainer" else 16)
