"""Each recommendation fires on the figures it names and stays quiet just short of them (pure: the
training entries are built in memory, as the events consumer would write them)."""

from datetime import date, timedelta

from fitconnect.coaching import insights, training
from fitconnect.coaching.models import TrainingEntry

TODAY = date(2026, 11, 29)


def _entry(day, load=300.0, patterns=None, muscles=None, lifts=None):
    started = f"{day.isoformat()}T07:00:00.000Z"
    return TrainingEntry(
        *TrainingEntry.key("m", started, started),
        user_id="m", activity_id=started, type="strength", started_at=started, duration_s=3600,
        load=load, muscle_sets=muscles or {}, pattern_sets=patterns or {}, lifts=lifts or {},
    )  # fmt: skip


def _advice(entries):
    days = {}
    for entry in entries:
        days.setdefault(date.fromisoformat(entry.started_at[:10]), []).append(entry)
    loads = {day: sum(float(e.load) for e in found) for day, found in days.items()}
    found = insights.recommendations(days, loads, TODAY, training.training_load(loads, TODAY))
    return {advice["code"]: advice for advice in found}


def _days_ago(*backs):
    return [TODAY - timedelta(days=back) for back in backs]


def test_seven_days_in_a_row_is_a_rest_day_advice_and_six_is_not():
    assert "no_rest_day" not in _advice([_entry(day) for day in _days_ago(*range(6))])
    advice = _advice([_entry(day) for day in _days_ago(*range(7))])["no_rest_day"]
    assert advice["evidence"] == {"days_in_a_row": 7}


def test_chronic_load_falling_three_weeks_running_is_detraining():
    # Six weeks back: four sessions a week at 400, then 300, 200, 100 in the last three weeks.
    loads = {6: 400, 5: 400, 4: 400, 3: 400, 2: 300, 1: 200, 0: 100}
    entries = [
        _entry(TODAY - timedelta(weeks=w, days=d), load) for w, load in loads.items() for d in (0, 2, 4, 5)
    ]
    advice = _advice(entries)["detraining"]
    weekly = advice["evidence"]["chronic_28d_by_week"]
    assert weekly == sorted(weekly, reverse=True)
    assert weekly[-1] < 0.9 * weekly[0]
    steady = [_entry(TODAY - timedelta(weeks=w, days=d)) for w in range(7) for d in (0, 2, 4, 5)]
    assert "detraining" not in _advice(steady)


def test_push_work_far_beyond_pull_is_an_imbalance_with_the_set_counts():
    pushing = [_entry(day, patterns={"horizontal_push": 5, "vertical_push": 3, "horizontal_pull": 2})
               for day in _days_ago(1, 3, 5)]  # fmt: skip
    advice = _advice(pushing)["muscle_imbalance"]
    assert advice["evidence"] == {"push_sets": 24.0, "pull_sets": 6.0, "ratio_limit": 1.5, "days": 28}
    balanced = [
        _entry(day, patterns={"horizontal_push": 5, "horizontal_pull": 4}) for day in _days_ago(1, 3, 5)
    ]
    assert "muscle_imbalance" not in _advice(balanced)


def test_quads_without_hamstrings_is_an_imbalance():
    legs = [_entry(day, muscles={"quads": 6, "hamstrings": 2}) for day in _days_ago(1, 4)]
    assert _advice(legs)["muscle_imbalance"]["evidence"]["quads_sets"] == 12.0


def test_four_sessions_without_beating_the_best_e1rm_is_a_stalled_lift():
    e1rms = [100, 105, 104, 105, 103, 105]  # the best, 105, came before the last four
    entries = [_entry(day, lifts={"barbell-back-squat": {"e1rm": value, "sets": [[5, 90]]}})
               for day, value in zip(_days_ago(15, 12, 9, 6, 3, 1), e1rms, strict=True)]  # fmt: skip
    advice = _advice(entries)["stalled_lift"]
    assert advice["evidence"] == {
        "exercise_id": "barbell-back-squat",
        "recent_e1rm_kg": [104.0, 105.0, 103.0, 105.0],
        "best_before_kg": 105.0,
    }
    assert advice["message"].startswith("Barbell back squat has stalled")
    still_rising = [*e1rms[:-1], 106]
    entries = [_entry(day, lifts={"barbell-back-squat": {"e1rm": value}})
               for day, value in zip(_days_ago(15, 12, 9, 6, 3, 1), still_rising, strict=True)]  # fmt: skip
    assert "stalled_lift" not in _advice(entries)


def test_a_steady_month_needs_no_advice():
    assert _advice([_entry(TODAY - timedelta(days=d)) for d in range(0, 56, 2)]) == {}
