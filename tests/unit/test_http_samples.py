"""Each sample event, fed to its function on an empty store (moto).

The samples double as `sam local invoke -e` inputs; on an empty store each has one right answer.
The `smoke`-marked tests prove only that a function loads, reads its environment and answers its
sample: they are not counted as tests of a behaviour (README, Tests). The rest here test one each.
"""

import hashlib
import hmac
import json
import time

import boto3
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
    "RegisterEquipmentFunction": (201, None),
    "ListEquipmentFunction": (200, None),
    "GetEquipmentFunction": (404, "equipment_not_found"),
    "ServiceEquipmentFunction": (404, "equipment_not_found"),
    "EquipmentRecommendationsFunction": (200, None),
    "MyPaymentsFunction": (200, None),
    "AdminRefundFunction": (404, "payment_not_found"),
    "StripeWebhookFunction": (400, "invalid_signature"),
    "GetNotificationPreferencesFunction": (200, None),
    "PutNotificationPreferencesFunction": (200, None),
    "MyNotificationsFunction": (200, None),
    "ChatbotFunction": (200, None),
    "ListExercisesFunction": (200, None),
    "GetExerciseFunction": (200, None),
    "LogActivityFunction": (201, None),
    "MyActivitiesFunction": (200, None),
    "GetActivityFunction": (404, "activity_not_found"),
    "DeleteActivityFunction": (404, "activity_not_found"),
    "StartImportFunction": (201, None),
    "GetImportFunction": (404, "import_not_found"),
    "ConnectStravaFunction": (200, None),
    "StravaCallbackFunction": (400, "invalid_state"),
    "MyIntegrationsFunction": (200, None),
    "DisconnectStravaFunction": (404, "not_connected"),
    "StravaChallengeFunction": (403, "invalid_verify_token"),
    "StravaWebhookFunction": (403, "unknown_subscription"),
    "MyInsightsFunction": (200, None),
    "CreatePlanFunction": (201, None),
    "MyPlanFunction": (404, "plan_not_found"),
    "CreateProductFunction": (503, "payments_unavailable"),
    "UpdateProductFunction": (404, "product_not_found"),
    "ListProductsFunction": (200, None),
    "CreatePurchaseFunction": (404, "product_not_found"),
    "MyEntitlementsFunction": (200, None),
    "CancelMembershipFunction": (404, "entitlement_not_found"),
    "FreezeMembershipFunction": (404, "entitlement_not_found"),
    "CreatePromoCodeFunction": (201, None),
    "ListPromoCodesFunction": (200, None),
    "GetCancellationPolicyFunction": (200, None),
    "PutCancellationPolicyFunction": (200, None),
    "MyPenaltiesFunction": (200, None),
    "WaivePenaltyFunction": (404, "penalty_not_found"),
    "ReportSummaryFunction": (200, None),
    "AdminReportFunction": (200, None),
    "TrainerReportFunction": (404, "trainer_not_found"),
}


def sample(function_id):
    return next(EVENTS_DIR.rglob(f"{function_id}.json"))


@pytest.mark.smoke
@pytest.mark.parametrize("function_id", sorted(EXPECTED_HTTP))
def test_smoke_http_sample_gets_its_answer_on_an_empty_store(
    function_env, functions, lambda_context, function_id
):
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


@pytest.mark.smoke
@pytest.mark.parametrize(
    "function_id",
    [
        "BuildExportFunction",
        "EraseMemberFunction",
        "CancelSessionBookingsFunction",
        "CreateMeetingsFunction",
        "ApplyStripeEventsFunction",
        "PaymentTasksFunction",
        "CancelMemberBookingsFunction",
        "SendNotificationsFunction",
        "SyncStravaFunction",
    ],
)
def test_smoke_queue_sample_completes_on_an_empty_store(function_env, functions, lambda_context, function_id):
    with function_env(function_id):
        result = load_handler(functions[function_id])(load_event(sample(function_id)), lambda_context)
    assert result == {"batchItemFailures": []}


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("function_id", "answer"),
    [
        ("CloseSessionsFunction", {"closed": 0}),
        ("ExpireHoldsFunction", {"expired": 0}),
        ("SweepEquipmentFunction", {"offline": 0}),
        ("ReconcilePaymentsFunction", {}),
        ("QueueRemindersFunction", {"reminders": 0}),
        ("ReleaseDeferredFunction", {"released": 0}),
    ],
)
def test_smoke_schedule_sample_finds_nothing_to_do_on_an_empty_store(
    function_env, functions, lambda_context, function_id, answer
):
    with function_env(function_id):
        result = load_handler(functions[function_id])(load_event(sample(function_id)), lambda_context)
    assert result == answer


def hmac_hex(key: str, message: str) -> str:
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


def signed(event, secret, timestamp):
    """The sample with a real Zoom signature for `secret` (the sample's own is a placeholder)."""
    event["headers"]["x-zm-request-timestamp"] = str(timestamp)
    event["headers"]["x-zm-signature"] = "v0=" + hmac_hex(secret, f"v0:{timestamp}:{event['body']}")
    return event


def zoom_secret(aws):

    name = aws.physical["ZoomWebhookSecret"].attrs["Name"]
    return json.loads(boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])


def webhook_sample(variant="ZoomWebhookFunction.json"):
    return load_event(next(EVENTS_DIR.rglob(variant)))


def call_webhook(function_env, functions, lambda_context, event):
    with function_env("ZoomWebhookFunction"):
        response = load_handler(functions["ZoomWebhookFunction"])(event, lambda_context)
    return response["statusCode"], json.loads(response["body"])


def test_zoom_url_validation_sample_is_answered_per_zoom_spec(function_env, functions, lambda_context, aws):
    secret = zoom_secret(aws)["webhook_secret_token"]
    event = signed(webhook_sample(), secret, int(time.time()))
    plain = json.loads(event["body"])["payload"]["plainToken"]
    answer = call_webhook(function_env, functions, lambda_context, event)
    assert answer == (200, {"plainToken": plain, "encryptedToken": hmac_hex(secret, plain)})


@pytest.mark.parametrize("variant", ["ZoomWebhookFunction.json", "ZoomWebhookFunction.meeting-started.json"])
def test_zoom_samples_with_a_bad_or_stale_signature_are_401(
    function_env, functions, lambda_context, aws, variant
):
    secret = zoom_secret(aws)["webhook_secret_token"]
    for event in (
        webhook_sample(variant),  # the placeholder signature
        signed(webhook_sample(variant), secret, int(time.time()) - 3600),  # stale
        signed(webhook_sample(variant), "not-the-secret", int(time.time())),
    ):
        status, body = call_webhook(function_env, functions, lambda_context, event)
        assert (status, body["error"]["code"]) == (401, "invalid_signature")


def test_meeting_started_for_an_unknown_meeting_is_ignored(function_env, functions, lambda_context, aws):
    secret = zoom_secret(aws)["webhook_secret_token"]
    event = signed(webhook_sample("ZoomWebhookFunction.meeting-started.json"), secret, int(time.time()))
    answer = call_webhook(function_env, functions, lambda_context, event)
    assert answer == (200, {"status": "ignored"})


@pytest.mark.parametrize(
    "variant", ["IngestTelemetryFunction.json", "IngestTelemetryFunction.malformed.json"]
)
def test_telemetry_samples_for_unknown_or_malformed_messages_are_rejected_and_counted(
    function_env, functions, lambda_context, variant
):
    with function_env("IngestTelemetryFunction"):
        handler = load_handler(functions["IngestTelemetryFunction"])
        answer = handler(load_event(next(EVENTS_DIR.rglob(variant))), lambda_context)
        assert answer == {"batchItemFailures": []}  # a rejected message is done with, never retried
        from fitconnect.inventory.telemetry import rejected_today

        assert rejected_today() == 1


def test_the_telemetry_archive_sample_writes_one_object_per_date_and_a_retry_overwrites_it(
    function_env, functions, lambda_context, aws
):
    bucket = aws.physical["AnalyticsBucket"].ref
    event = load_event(sample("ArchiveTelemetryFunction"))
    with function_env("ArchiveTelemetryFunction"):
        handler = load_handler(functions["ArchiveTelemetryFunction"])
        handler(event, lambda_context)
        handler(event, lambda_context)  # Lambda retries the same batch
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="telemetry/").get("Contents", [])]
    assert len(keys) == 1
    assert keys[0].startswith("telemetry/dt=2026-11-23/")
    lines = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read().decode().splitlines()
    assert [json.loads(line)["in_use"] for line in lines] == [True, False]


@pytest.mark.parametrize(
    "variant",
    [
        "ApplyStripeEventsFunction.json",
        "ApplyStripeEventsFunction.payment-failed.json",
        "ApplyStripeEventsFunction.charge-refunded.json",
    ],
)
def test_stripe_event_samples_for_a_payment_we_do_not_know_change_nothing(
    function_env, functions, lambda_context, variant
):
    with function_env("ApplyStripeEventsFunction"):
        handler = load_handler(functions["ApplyStripeEventsFunction"])
        assert handler(load_event(next(EVENTS_DIR.rglob(variant))), lambda_context) == {
            "batchItemFailures": []
        }
        from fitconnect.payments.payments import Payment

        assert list(Payment.scan()) == []


def test_a_poison_notification_fails_alone_and_the_rest_of_its_batch_is_done(
    function_env, functions, lambda_context
):
    """The poison is reported as the batch's only failure, so SQS redelivers it alone and, after
    maxReceiveCount, moves it to the DLQ (shown end to end in tests/integration/test_notifications.py)."""
    event = load_event(sample("SendNotificationsFunction"))
    good = event["Records"][0]
    poison = {**good, "messageId": "poison-1", "body": "{not json"}
    event["Records"] = [poison, good]
    with function_env("SendNotificationsFunction"):
        answer = load_handler(functions["SendNotificationsFunction"])(event, lambda_context)
        from fitconnect.notifications.notifications import Notification

        [done] = list(Notification.scan())
    assert answer == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    assert (done.template, done.status) == ("booking_confirmed", "skipped")  # its member no longer exists


def test_a_password_reset_request_is_logged_without_its_code(function_env, functions, lambda_context):
    event = load_event(EVENTS_DIR / "notifications" / "SendNotificationsFunction.password-reset.json")
    with function_env("SendNotificationsFunction"):
        answer = load_handler(functions["SendNotificationsFunction"])(event, lambda_context)
        from fitconnect.notifications.notifications import Notification

        [logged] = list(Notification.scan())
    assert answer == {"batchItemFailures": []}
    assert (logged.template, logged.status) == ("password_reset", "skipped")  # no such account here
    assert "482915" not in json.dumps(logged.to_simple_dict())
