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


def test_the_baseline_follows_a_slow_change_within_its_noise():
    noise = [0.5, -0.3, 0.2, -0.6, 0.4, -0.1]
    slow = feed([40 + i * 0.01 + noise[i % 6] for i in range(300)])  # three degrees over 300 readings
    assert slow["mean"] > 42
    assert abs(slow["z"]) < 3


def test_a_drift_towards_a_fault_is_not_learnt_and_stays_anomalous():
    noise = [0.3, -0.3, 0.1, -0.2]
    history = [40 + noise[i % 4] for i in range(40)]
    drifting = feed(history + [40 + step * 1.0 for step in range(1, 25)])  # +1 degree per reading
    assert drifting["z"] > 10
    assert 39.5 < drifting["mean"] < 41  # the baseline did not follow the fault
