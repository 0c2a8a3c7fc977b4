"""The rolling baseline behind anomaly recommendations: z-scores against the machine's own history."""

import random

from fitconnect.inventory.equipment import is_anomalous, updated_baseline


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


def test_an_extreme_reading_is_an_anomaly_at_once():
    steady = feed([40 + (0.4 if i % 2 else -0.4) for i in range(40)])
    assert not is_anomalous(steady)
    assert is_anomalous(updated_baseline(steady, 58))


def test_a_moderate_deviation_is_an_anomaly_only_when_it_persists():
    rng = random.Random(3)
    steady = feed([40 + rng.gauss(0, 0.5) for _ in range(60)])
    once = updated_baseline(steady, 42.4)  # about 4-5 standard deviations: could be noise
    assert 3 < once["z"] < 6
    assert not is_anomalous(once)
    twice = updated_baseline(once, 42.5)
    thrice = updated_baseline(twice, 42.4)
    assert not is_anomalous(twice)
    assert is_anomalous(thrice)
    assert not is_anomalous(updated_baseline(thrice, 40.1))  # back to normal: the streak ends


def test_healthy_machines_are_not_flagged_by_their_own_noise():
    """1,000 healthy machines, each after 20 to 200 noisy readings: how many would be recommended
    for an anomaly? (On a single reading beyond 3 standard deviations, about 1% would be.)"""
    rng = random.Random(5)
    flagged = 0
    for _ in range(1000):
        level, noise = rng.uniform(30, 45), rng.uniform(0.1, 1.0)
        baseline = feed([level + rng.gauss(0, noise) for _ in range(rng.randint(21, 200))])
        flagged += is_anomalous(baseline)
    assert flagged <= 2
