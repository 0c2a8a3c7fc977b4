"""Each identity, members and trainers sample event, fed to its function on an empty store (moto).

The samples double as `sam local invoke -e` inputs; on an empty store each has one right answer.
"""

import json

import pytest

from tests.support.lambdas import load_event, load_handler
from tests.support.paths import EVENTS_DIR

EXPECTED_HTTP = {
    "RegisterFunction": (201, None),
    "LoginFunction": (401, "invalid_credentials"),
    "RefreshFunction": (401, "invalid_refresh_token"),
    "LogoutFunction": (204, None),
    "MfaSetupFunction": (404, "user_not_found"),
    "MfaVerifyFunction": (404, "user_not_found"),
    "SsoFunction": (404, "unknown_provider"),
    "PasswordForgotFunction": (202, None),
    "PasswordResetFunction": (422, "invalid_reset_code"),
    "JwksFunction": (200, None),
    "AdminListUsersFunction": (200, None),
    "AdminUpdateUserFunction": (404, "user_not_found"),
    "GetMeFunction": (404, "user_not_found"),
    "UpdateMeFunction": (404, "profile_not_found"),
    "DeleteMeFunction": (404, "user_not_found"),
    "RequestExportFunction": (202, None),
    "ExportStatusFunction": (404, "export_not_found"),
    "AvatarUploadFunction": (404, "profile_not_found"),
    "RegisterDeviceFunction": (201, None),
    "ApplyTrainerFunction": (404, "profile_not_found"),
    "ApproveTrainerFunction": (404, "trainer_not_found"),
    "ListTrainersFunction": (200, None),
    "GetTrainerFunction": (404, "trainer_not_found"),
    "AdminListTrainersFunction": (200, None),
    "CreateSessionFunction": (404, "trainer_not_found"),
    "ListSessionsFunction": (200, None),
    "GetSessionFunction": (404, "session_not_found"),
    "CreateBookingFunction": (404, "session_not_found"),
    "GetBookingFunction": (404, "booking_not_found"),
    "CancelBookingFunction": (404, "booking_not_found"),
    "MyBookingsFunction": (200, None),
    "SessionRosterFunction": (404, "session_not_found"),
    "UpdateSessionFunction": (404, "session_not_found"),
    "CancelSessionFunction": (404, "session_not_found"),
    "CheckInFunction": (404, "booking_not_found"),
    "BookingFeedbackFunction": (404, "booking_not_found"),
    "CreateReviewFunction": (404, "trainer_not_found"),
    "ListReviewsFunction": (200, None),
    "CalendarFeedFunction": (404, "calendar_not_found"),
    "CalendarTokenFunction": (200, None),
}


def sample(function_id):
    return next(EVENTS_DIR.rglob(f"{function_id}.json"))


@pytest.mark.parametrize("function_id", sorted(EXPECTED_HTTP))
def test_http_sample_gets_its_answer_on_an_empty_store(function_env, functions, lambda_context, function_id):
    with function_env(function_id):
        response = load_handler(functions[function_id])(load_event(sample(function_id)), lambda_context)
    status, code = EXPECTED_HTTP[function_id]
    assert response["statusCode"] == status, response.get("body")
    if code:
        assert json.loads(response["body"])["error"]["code"] == code


def test_authorizer_sample_refuses_an_unsigned_token(function_env, functions, lambda_context):
    with function_env("AuthorizerFunction"):
        answer = load_handler(functions["AuthorizerFunction"])(
            load_event(sample("AuthorizerFunction")), lambda_context
        )
    assert answer["context"]["auth_error"] == "invalid_token"
    assert "user_id" not in answer["context"]


def test_rotation_sample_creates_and_publishes_a_key(function_env, functions, lambda_context):
    with function_env("RotateSigningKeyFunction"):
        result = load_handler(functions["RotateSigningKeyFunction"])(
            load_event(sample("RotateSigningKeyFunction")), lambda_context
        )
        from fitconnect.identity.keys import public_jwks

        assert [key["kid"] for key in public_jwks()["keys"]] == [result["kid"]]


@pytest.mark.parametrize(
    "function_id", ["BuildExportFunction", "EraseMemberFunction", "CancelSessionBookingsFunction"]
)
def test_queue_samples_complete_on_an_empty_store(function_env, functions, lambda_context, function_id):
    with function_env(function_id):
        result = load_handler(functions[function_id])(load_event(sample(function_id)), lambda_context)
    assert result == {"batchItemFailures": []}


def test_closing_sample_runs_on_an_empty_store(function_env, functions, lambda_context):
    with function_env("CloseSessionsFunction"):
        result = load_handler(functions["CloseSessionsFunction"])(
            load_event(sample("CloseSessionsFunction")), lambda_context
        )
    assert result == {"closed": 0}
