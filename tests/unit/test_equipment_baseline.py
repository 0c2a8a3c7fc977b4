"""The rolling baseline behind anomaly recommendations: z-scores against the machine's own history."""

import math
import random

import pytest

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


def test_an_extreme_deviation_is_an_anomaly_on_its_third_reading_and_a_single_spike_never():
    steady = feed([40 + (0.4 if i % 2 else -0.4) for i in range(40)])
    assert not is_anomalous(steady)
    spike = updated_baseline(steady, 58)
    assert not is_anomalous(spike)  # a glitch, for all one reading can tell
    assert not is_anomalous(updated_baseline(spike, 40.2))
    overheated = feed_from(steady, [58, 58.5])
    assert not is_anomalous(overheated)
    assert is_anomalous(updated_baseline(overheated, 59))


def test_a_moderate_deviation_is_an_anomaly_only_when_it_persists_on_one_side():
    rng = random.Random(3)
    steady = feed([40 + rng.gauss(0, 0.5) for _ in range(60)])
    once = updated_baseline(steady, 42.4)  # about 4-5 standard deviations: could be noise
    assert 3 < once["z"] < 6
    assert not is_anomalous(feed_from(steady, [42.4, 42.5, 42.4]))
    assert is_anomalous(feed_from(steady, [42.4, 42.5, 42.4, 42.6]))
    assert not is_anomalous(feed_from(steady, [42.4, 42.5, 42.4, 42.6, 40.1]))  # back: the streak ends
    assert not is_anomalous(feed_from(steady, [42.4, 37.6, 42.5, 37.5]))  # both sides: noise, not a fault


def feed_from(baseline, values):
    for value in values:
        baseline = updated_baseline(baseline, value)
    return baseline


def _student_t(rng, dof):
    """A unit-variance Student's t draw: heavy tails, no drift."""
    chi2 = sum(rng.gauss(0, 1) ** 2 for _ in range(dof))
    return rng.gauss(0, 1) / math.sqrt(chi2 / dof) / math.sqrt(dof / (dof - 2))


def _glitch(rng):
    return rng.choice((-1, 1)) * rng.uniform(8, 20)


NOISE = {
    "gaussian": lambda rng: rng.gauss(0, 1),
    "laplace": lambda rng: (rng.expovariate(1) - rng.expovariate(1)) / math.sqrt(2),
    "student_t_3": lambda rng: _student_t(rng, 3),
    "glitches": lambda rng: (
        rng.gauss(0, 1) + (rng.choice((-1, 1)) * rng.uniform(8, 20) if rng.random() < 0.005 else 0)
    ),
}


@pytest.mark.parametrize("noise", NOISE, ids=list(NOISE))
def test_healthy_machines_are_never_flagged_by_their_own_noise(noise):
    """1,000 healthy machines, each followed through 21 to 300 noisy readings, every reading judged
    (not only the last): none may be recommended for an anomaly, whether the noise is Gaussian,
    Laplace, Student's t with 3 degrees of freedom or Gaussian with 0.5% glitches of 8-20 sigma.
    (A single reading beyond 3 standard deviations would flag most of them; a variance instead of
    the mean absolute deviation, or no start-up correction, flags some.)"""
    rng = random.Random(5)
    flagged = []
    for machine in range(1000):
        level, scale = rng.uniform(30, 45), rng.uniform(0.1, 1.0)
        baseline = None
        for reading in range(rng.randint(21, 300)):
            baseline = updated_baseline(baseline, level + scale * NOISE[noise](rng))
            if is_anomalous(baseline):
                flagged.append((machine, reading))
                break
    assert flagged == []
