"""The coaching formulas against values computed by hand (each expected number is worked out in the
comment beside it, not taken from the code)."""

from datetime import date, timedelta

import pytest

from fitconnect.coaching import training


def test_session_rpe_load_is_rpe_times_minutes():
    assert training.session_load(60, rpe=7) == (420.0, "session_rpe")  # 7 x 60


def test_trimp_from_heart_rate():
    # reserve = (150 - 60) / (190 - 60) = 0.692308; e^(1.92 * 0.692308) = e^1.329231 = 3.77812
    # 0.64 * 3.77812 = 2.41800; TRIMP = 45 x 0.692308 x 2.41800 = 75.33
    load, method = training.session_load(45, avg_hr=150, rest_hr=60, max_hr=190)
    assert (load, method) == (75.3, "trimp")


def test_an_unrated_session_without_heart_rate_gets_the_stated_default():
    assert training.session_load(30) == (150.0, "default")  # 30 min x RPE 5


def test_acwr_on_a_known_series_with_rest_days_as_zero():
    today = date(2026, 11, 29)
    # 28 days: 100 on every other day (14 sessions) for the first 21 days' worth, then 300 daily for
    # the last 7. Built explicitly: days 27..7 back alternate 100/0, days 6..0 back are 300.
    loads = {}
    for back in range(27, 6, -1):
        if back % 2 == 0:
            loads[today - timedelta(days=back)] = 100.0
    for back in range(7):
        loads[today - timedelta(days=back)] = 300.0
    # acute = 7 x 300 / 7 = 300; even days from 26 back to 8: 26,24,...,8 = 10 sessions → 1,000
    # chronic = (1,000 + 2,100) / 28 = 110.71; ACWR = 300 / 110.71 = 2.71 → very high
    assert training.training_load(loads, today) == {
        "acute_7d": 300.0,
        "chronic_28d": 110.7,
        "acwr": 2.71,
        "status": "very_high",
    }


@pytest.mark.parametrize(
    ("ratio", "status"),
    [(None, "low"), (0.79, "low"), (0.8, "optimal"), (1.3, "optimal"), (1.31, "high"), (1.5, "high"),
     (1.51, "very_high")],
)  # fmt: skip
def test_acwr_bands(ratio, status):
    assert training.acwr_status(ratio) == status


def test_monotony_and_strain():
    week = [100, 0, 100, 0, 100, 0, 100]
    # mean = 400 / 7 = 57.142857; deviations: 4 x 42.857143² + 3 x 57.142857² = 7346.94 + 9795.92
    # = 17142.86; / 7 = 2448.98; sd = 49.4872; monotony = 57.142857 / 49.4872 = 1.1547
    # strain = 400 x 1.1547 = 461.9
    assert training.monotony_and_strain(week) == (1.15, 461.9)
    assert training.monotony_and_strain([80] * 7) == (None, None)
    assert training.monotony_and_strain([0] * 7) == (None, 0.0)


def test_epley_one_rep_max():
    assert training.estimated_1rm(100, 5) == 116.7  # 100 x (1 + 5/30)
    assert training.estimated_1rm(140, 1) == 140
    assert training.estimated_1rm(60, 12) == 84.0  # 60 x 1.4


def test_streak_counts_days_in_a_row_ending_today_or_yesterday():
    today = date(2026, 11, 29)
    days = {today - timedelta(days=back) for back in (1, 2, 3, 5)}
    assert training.streak_days(days, today) == 3  # yesterday, and the two before; 4 days back was rest
    assert training.streak_days(days | {today}, today) == 4
    assert training.streak_days({today - timedelta(days=2)}, today) == 0
