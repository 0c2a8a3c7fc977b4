"""Strava's side of the connection: a state only we could sign, for one member, for ten minutes;
Strava's rate limits read from its headers; a Strava activity as a workout."""

from datetime import UTC, datetime

import pytest

from fitconnect.coaching import strava
from fitconnect.coaching.strava import InvalidState, RateLimits
from fitconnect.coaching.workout_files import Workout

SECRET = b"connection-secret"
NOW = datetime(2026, 12, 6, 10, 7, 30, tzinfo=UTC)


def test_a_state_names_its_member_and_nonce_for_ten_minutes():
    state = strava.signed_state("01JDUSER00000000000000000A", "nonce-1", NOW, SECRET)
    assert strava.verified_state(state, NOW.replace(minute=17), SECRET) == (
        "01JDUSER00000000000000000A",
        "nonce-1",
    )
    with pytest.raises(InvalidState, match="expired"):
        strava.verified_state(state, NOW.replace(minute=18), SECRET)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda state: state.replace(state[:10], state[:9] + ("A" if state[9] != "A" else "B")),
        lambda state: state.split(".")[0],
        lambda state: "." + state.split(".")[1],
        lambda state: "garbage",
        lambda state: strava.signed_state("someone-else", "nonce-1", NOW, b"another secret"),
    ],
)
def test_a_state_we_did_not_sign_is_refused(tamper):
    state = strava.signed_state("01JDUSER00000000000000000A", "nonce-1", NOW, SECRET)
    with pytest.raises(InvalidState, match="not made by FitConnect"):
        strava.verified_state(tamper(state), NOW, SECRET)


def _limits(usage="10,200", limit="100,1000", read_usage=None, read_limit=None):
    headers = {"X-RateLimit-Limit": limit, "X-RateLimit-Usage": usage}
    if read_usage:
        headers |= {"X-ReadRateLimit-Limit": read_limit, "X-ReadRateLimit-Usage": read_usage}
    return RateLimits.from_headers(headers)


def test_room_in_both_windows_means_no_wait():
    assert _limits().wait_s(NOW) == 0


def test_a_full_quarter_waits_for_the_next_quarter_hour():
    assert _limits(usage="100,300").wait_s(NOW) == 7 * 60 + 30  # 10:07:30 → 10:15


def test_a_full_day_waits_for_midnight_utc():
    assert _limits(usage="40,1000").wait_s(NOW) == (13 * 3600 + 52 * 60 + 30)


def test_the_read_limit_counts_as_well():
    limits = _limits(usage="50,300", limit="200,2000", read_usage="100,300", read_limit="100,1000")
    assert limits.wait_s(NOW) == 450


def test_answers_without_rate_headers_have_no_limits():
    assert RateLimits.from_headers({"Content-Type": "application/json"}) is None
    assert RateLimits.from_headers({"X-RateLimit-Limit": "100,1000", "X-RateLimit-Usage": "x"}) is None


def test_a_strava_activity_becomes_a_workout():
    activity = {
        "id": 12345678987654321,
        "name": "Morning Ride",
        "sport_type": "MountainBikeRide",
        "type": "Ride",
        "start_date": "2026-11-30T07:05:10Z",
        "start_date_local": "2026-11-30T08:05:10Z",
        "elapsed_time": 4207,
        "moving_time": 3900,
        "distance": 28104.7,
        "total_elevation_gain": 516.0,
        "has_heartrate": True,
        "average_heartrate": 141.6,
        "max_heartrate": 178.0,
        "calories": 870.4,
    }
    assert strava.workout_of(activity) == Workout(
        type="ride",
        started_at=datetime(2026, 11, 30, 7, 5, 10, tzinfo=UTC),
        duration_s=4207,
        distance_m=28104.7,
        avg_heart_rate=142,
        max_heart_rate=178,
        elevation_gain_m=516.0,
        calories=870,
    )


def test_a_strava_activity_without_sensors_has_no_heart_rate_or_distance():
    activity = {"sport_type": "WeightTraining", "start_date": "2026-11-30T18:00:00Z", "elapsed_time": 2700}
    workout = strava.workout_of({**activity, "has_heartrate": False, "average_heartrate": 0, "distance": 0})
    assert (workout.type, workout.duration_s, workout.distance_m, workout.avg_heart_rate) == (
        "strength",
        2700,
        None,
        None,
    )


# -- the connection's tokens under the template's KMS key (moto, keys provisioned as on the runtime)
@pytest.fixture
def integrations(function_env):
    with function_env("SyncStravaFunction"):
        from fitconnect.coaching import integrations

        yield integrations


def _connection(integrations, user_id: str):
    from fitconnect.coaching.models import StravaConnection

    tokens = {"access_token": "a" * 40, "refresh_token": "r" * 40}
    return StravaConnection(
        *StravaConnection.key(user_id),
        user_id=user_id,
        athlete_id=134815,
        scope="read,activity:read_all",
        tokens=integrations._seal(user_id, tokens),
        access_expires_at=2_000_000_000,
        connected_at="2026-12-06T08:00:00Z",
    )


def test_tokens_are_stored_as_ciphertext_that_opens_only_for_their_member(integrations):
    from botocore.exceptions import ClientError

    mine = _connection(integrations, "01JDUSER00000000000000000A")
    assert b"a" * 40 not in bytes(mine.tokens)
    assert integrations.access_token(mine) == "a" * 40
    # The same ciphertext on another member's item (a copied attribute) does not open.
    theirs = _connection(integrations, "01JDUSER00000000000000000B")
    theirs.tokens = mine.tokens
    with pytest.raises(ClientError, match="InvalidCiphertext"):
        integrations.access_token(theirs)


def test_the_kms_calls_are_checked_against_the_key_the_role_names():
    from fitconnect_local import iam_guard

    key_arn = "arn:aws:kms:us-east-1:123456789012:key/5b7a6a4e-0000-4000-8000-000000000001"
    statements = [{"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [key_arn]}]
    [(action, resource)] = iam_guard.required("kms", "Decrypt", {"KeyId": key_arn})
    assert (action, resource) == ("kms:Decrypt", key_arn)
    assert iam_guard.allowed(statements, action, resource)
    [(encrypt, _)] = iam_guard.required("kms", "Encrypt", {"KeyId": key_arn})
    assert not iam_guard.allowed(statements, encrypt, key_arn)
    [(_, by_id)] = iam_guard.required("kms", "Decrypt", {"KeyId": "5b7a6a4e-0000-4000-8000-000000000001"})
    assert by_id == key_arn
