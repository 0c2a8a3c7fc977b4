"""The rolling baseline behind anomaly recommendations: z-scores against the machine's own history."""

from fitconnect.inventory.equipment import updated_baseline


def feed(values):
    baseline = None
    for value in values:
        baseline = updated_baseline(baseline, value)
    return baseline


def test_a_steady_signal_has_small_z_scores_and_a_spike_a_large_one():
    steady = feed([40 + (0.4 if i % 2 else -0.4) for i in range(40)])
    assert abs(steady["z"]) < 2
    assert 39.5 < steady["mean"] < 40.5
    spiked = updated_baseline(steady, 58)
    assert spiked["z"] > 10
    assert spiked["n"] == 41
    assert spiked["last"] == 58


def test_the_baseline_follows_a_slow_change_but_not_a_single_reading():
    slow = feed([40 + i * 0.05 for i in range(200)])  # ten degrees over 200 readings
    assert slow["mean"] > 48
    assert abs(slow["z"]) < 3
    one_off = updated_baseline(feed([40.0] * 30 + [40.5]), 40.2)
    assert one_off["mean"] < 40.1
