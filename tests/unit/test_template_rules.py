"""template.yaml keeps the platform's rules: every rule here would have caught a real mistake."""

import os
from unittest import mock

import pytest

from fitconnect_local.functions import function_specs
from fitconnect_local.iam import load_policies, statements_allow
from fitconnect_local.rehearsal import WILDCARD_EXCEPTIONS
from fitconnect_local.template import load_template
from tests.support.lambdas import load_handler
from tests.support.paths import TEMPLATE


def test_functions_run_python_313_traced(template):
    stacks = [stack for stack in template.stacks() if stack.of_type("AWS::Serverless::Function")]
    assert len(stacks) >= 9  # the root (authorizer) and one nested stack per context
    for stack in stacks:
        function_globals = stack.body["Globals"]["Function"]
        assert function_globals["Runtime"] == "python3.13", stack.path
        assert function_globals["Tracing"] == "Active", stack.path
        assert function_globals["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"], stack.path


def test_every_function_imports_and_has_its_handler(functions):
    for logical_id, spec in functions.items():
        with mock.patch.dict(os.environ, spec.environment):
            handler = load_handler(spec)
        assert callable(handler), logical_id


def test_every_function_names_its_service_and_owns_a_log_group_with_retention(template, functions):
    for logical_id, spec in functions.items():
        assert spec.environment.get("POWERTOOLS_SERVICE_NAME"), logical_id
        stack = template.owner(logical_id)
        log_group = stack.properties(logical_id)["LoggingConfig"]["LogGroup"]["Ref"]
        assert stack.properties(log_group)["RetentionInDays"], logical_id


def test_every_queue_has_a_dead_letter_queue_and_every_dlq_an_alarm(template):
    queues = list(template.each("AWS::SQS::Queue"))
    assert len(queues) >= 20
    dlq_arns = (
        {
            stack.resolve(stack.properties(q)["RedrivePolicy"]["deadLetterTargetArn"])
            for stack, q in queues
            if "RedrivePolicy" in stack.properties(q)
        }
        | _error_action_queue_arns(template)
        | _on_failure_queue_arns(template)
    )  # terminal too: what an
    # IoT rule could not deliver, and the stream batches an event source gave up on
    alarmed = {
        stack.resolve(stack.properties(alarm)["Dimensions"][0]["Value"])
        for stack, alarm in template.each("AWS::CloudWatch::Alarm")
        if stack.properties(alarm).get("Namespace") == "AWS/SQS"
    }
    for stack, logical_id in queues:
        physical = stack.physical[logical_id]
        is_dlq = physical.attrs["Arn"] in dlq_arns
        assert is_dlq or "RedrivePolicy" in stack.properties(logical_id), f"{logical_id} has no DLQ"
        if is_dlq:
            assert physical.attrs["QueueName"] in alarmed, f"{logical_id} (a DLQ) has no depth alarm"


def _on_failure_queue_arns(template):
    return {
        str(destination)
        for spec in function_specs(template).values()
        for source in spec.events_of("Kinesis")
        if (destination := _on_failure(source.properties))
    }


def _on_failure(properties):
    return ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")


def _error_action_queue_arns(template):
    arns = set()
    for stack, rule in template.each("AWS::IoT::TopicRule"):
        error = stack.properties(rule)["TopicRulePayload"].get("ErrorAction") or {}
        if "Sqs" in error:
            queue_id = error["Sqs"]["QueueUrl"]["Ref"]
            arns.add(stack.physical[queue_id].attrs["Arn"])
    return arns


def test_tables_are_on_demand_encrypted_recoverable_with_ttl(template):
    tables = template.of_type("AWS::DynamoDB::Table")  # the root keeps every table (stateful pieces)
    assert len(tables) >= 9  # one per bounded context + idempotency
    for logical_id in tables:
        props = template.properties(logical_id)
        assert props["BillingMode"] == "PAY_PER_REQUEST", logical_id
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, logical_id
        assert props["SSESpecification"]["SSEEnabled"] is True, logical_id
        assert props["TimeToLiveSpecification"]["Enabled"] is True, logical_id


def test_buckets_are_private_encrypted_and_tls_only(template):
    policies = {
        template.properties(p)["Bucket"]["Ref"]: template.properties(p)
        for p in template.of_type("AWS::S3::BucketPolicy")
    }
    for logical_id in template.of_type("AWS::S3::Bucket"):
        props = template.properties(logical_id)
        assert all(props["PublicAccessBlockConfiguration"].values()), logical_id
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], logical_id
        statement = policies[logical_id]["PolicyDocument"]["Statement"][0]
        assert statement["Effect"] == "Deny"
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_temporary_exports_expire(template):
    rules = template.properties("ExportsBucket")["LifecycleConfiguration"]["Rules"]
    assert any(rule.get("ExpirationInDays") for rule in rules)


def _statements(template, logical_id):
    stack = template.owner(logical_id)
    for policy in stack.properties(logical_id).get("Policies") or []:
        if isinstance(policy, dict) and "Statement" in policy:
            yield from stack.resolve(policy["Statement"])  # conditional statements resolved
        elif isinstance(policy, dict) and "Ref" in policy:
            yield from stack.resolve(stack.properties(policy["Ref"])["PolicyDocument"]["Statement"])
        else:
            pytest.fail(
                f"{logical_id}: use an explicit statement or a managed policy of this template: {policy}"
            )


def test_policies_name_their_resources(template, functions):
    for logical_id in functions:
        for statement in _statements(template, logical_id):
            if "NotResource" in statement:  # only SMS publishing, which has no resource ARN
                assert statement["Action"] == ["sns:Publish"], (
                    f"{logical_id}: NotResource for {statement['Action']}"
                )
                assert statement["NotResource"] == "arn:aws:sns:*:*:*", logical_id
                continue
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            # "*" only where IAM takes nothing else (the rehearsal's list, each with its reason).
            assert "*" not in resources or tuple(actions) in WILDCARD_EXCEPTIONS, (
                f"{logical_id} grants {statement['Action']} on every resource"
            )
            assert not any(action.endswith(":*") for action in actions), f"{logical_id}: wildcard action"


@pytest.mark.parametrize(
    ("webhook", "may_read", "may_not_read"),
    [
        ("StripeWebhookFunction", "StripeWebhookSecret", "StripeSecret"),
        ("ZoomWebhookFunction", "ZoomWebhookSecret", "ZoomSecret"),
    ],
)
def test_public_webhooks_read_their_signing_secret_and_not_the_api_credentials(
    webhook, may_read, may_not_read
):
    template = load_template(TEMPLATE, parameters={"Stage": "test"})  # secret ARNs as the stacks got them
    policies = load_policies(template)
    statements = policies.function_statements(webhook)
    readable = {
        logical_id
        for logical_id in ("StripeSecret", "StripeWebhookSecret", "ZoomSecret", "ZoomWebhookSecret")
        if statements_allow(statements, "secretsmanager:GetSecretValue", template.physical[logical_id].ref)
    }
    assert readable == {may_read}, f"{webhook} must not read {may_not_read}"


def _push_grants(template, logical_id):
    return {
        action: statement["Resource"]
        for statement in _statements(template, logical_id)
        for action in statement["Action"]
        if action in {"sns:CreatePlatformEndpoint", "sns:DeleteEndpoint"}
    }


def test_push_grants_follow_the_platform_applications_given():
    apns = "arn:aws:sns:eu-west-1:111122223333:app/APNS/fitconnect-ios"
    only_ios = load_template(
        TEMPLATE, parameters={"Stage": "test", "PushApnsApplicationArn": apns, "PushFcmApplicationArn": ""}
    )
    grants = _push_grants(only_ios, "SendNotificationsFunction")
    assert grants["sns:CreatePlatformEndpoint"] == apns  # that application only, not the empty FCM one
    assert grants["sns:DeleteEndpoint"].endswith(":endpoint/*")
    none = load_template(
        TEMPLATE, parameters={"Stage": "test", "PushApnsApplicationArn": "", "PushFcmApplicationArn": ""}
    )
    assert _push_grants(none, "SendNotificationsFunction") == {}
    assert _push_grants(none, "EraseMemberFunction") == {}


# API.md's "anyone" rows: the only routes that skip the token authorizer. (GET /health serves
# anyone too, but through the authorizer, which never denies: an admin's token shows every check.)
PUBLIC_ROUTES = {
    "POST /auth/register",
    "POST /auth/login",
    "POST /auth/refresh",
    "POST /auth/sso/{provider}",
    "POST /auth/password/forgot",
    "POST /auth/password/reset",
    "GET /.well-known/jwks.json",
    "GET /trainers",
    "GET /trainers/{trainer_id}",
    "GET /sessions",
    "GET /sessions/{session_id}",
    "GET /trainers/{trainer_id}/reviews",
    "GET /products",  # what is on sale
    "GET /calendar/{calendar_file}",
    "POST /webhooks/zoom",  # Zoom signs it; the function checks the signature
    "POST /webhooks/stripe",  # Stripe signs it; the function checks the signature
    "GET /webhooks/strava",  # Strava's subscription check: answered only with our verify token
    "POST /webhooks/strava",  # unsigned: our subscription's id is required and nothing is believed
    "GET /integrations/strava/callback",  # the member's browser back from Strava: the signed state says who
    "$default",  # no other route matched: a 404 in the API's shape
    "GET /openapi.json",  # the contract and its interactive page
    "GET /docs",
    "GET /docs/{asset}",
    "GET /exercises",  # API.md, Coaching: "anyone"
    "GET /exercises/{exercise_id}",
}


def test_every_route_is_behind_the_authorizer_unless_api_md_says_anyone(template):
    authorizer_id = template.physical["TokenAuthorizer"].ref
    routes = [
        stack.resolve(stack.properties(route)) for stack, route in template.each("AWS::ApiGatewayV2::Route")
    ]
    assert len(routes) >= 54
    public = {route["RouteKey"] for route in routes if route["AuthorizationType"] == "NONE"}
    assert public == PUBLIC_ROUTES
    for route in routes:
        if route["RouteKey"] not in PUBLIC_ROUTES:
            assert (route["AuthorizationType"], route.get("AuthorizerId")) == ("CUSTOM", authorizer_id), route


def test_api_url_is_an_output(template):
    assert "ApiUrl" in template.body["Outputs"]


def _stage_parameters(section):
    """A samconfig.toml section's parameter_overrides, as `sam deploy --config-env` passes them."""
    import tomllib

    config = tomllib.loads((TEMPLATE.parent / "samconfig.toml").read_text())
    overrides = config[section]["deploy"]["parameters"]["parameter_overrides"]
    return dict(pair.split("=", 1) for pair in overrides.split())


def _names_that_collide_across_stages(stack):
    """Names AWS keeps account-wide (or region-wide): two stages must not share any."""
    named = {}
    for each, logical_id in stack.each(
        "AWS::SES::EmailIdentity",
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::SecretsManager::Secret",
        "AWS::Events::EventBus",
        "AWS::SNS::Topic",
        "AWS::Logs::LogGroup",
        "AWS::Serverless::LayerVersion",
    ):
        props = each.resolve(each.properties(logical_id))
        for key in (
            "EmailIdentity",
            "TableName",
            "QueueName",
            "Name",
            "TopicName",
            "LogGroupName",
            "LayerName",
        ):
            if key in props:
                named[f"{logical_id}.{key}"] = props[key]
    return named


def test_dev_and_prod_in_one_account_name_nothing_alike_not_even_the_mail_identity():
    dev = load_template(TEMPLATE, parameters=_stage_parameters("dev"))
    prod = load_template(TEMPLATE, parameters=_stage_parameters("prod"))
    dev_names, prod_names = _names_that_collide_across_stages(dev), _names_that_collide_across_stages(prod)
    assert dev_names["MailFromIdentity.EmailIdentity"] == "dev.fitconnect.app"
    assert prod_names["MailFromIdentity.EmailIdentity"] == "fitconnect.app"
    assert len(dev_names) > 40
    assert not set(dev_names.values()) & set(prod_names.values())


def test_a_stage_can_send_through_an_identity_verified_elsewhere():
    shared = load_template(TEMPLATE, parameters={"Stage": "dev", "MailDomain": ""})
    assert "MailFromIdentity" not in shared.resources  # its condition is false: CloudFormation makes none
    assert "MailDkimRecords" not in shared.body["Outputs"]
    grants = [
        statement["Resource"]
        for statement in _statements(shared, "SendNotificationsFunction")
        if "ses:SendRawEmail" in statement["Action"]
    ]
    assert grants == [
        [
            "arn:aws:ses:us-east-1:123456789012:identity/no-reply@fitconnect.app",
            "arn:aws:ses:us-east-1:123456789012:identity/fitconnect.app",
        ]
    ]


def test_data_survives_stack_operations_and_queues_state_their_retention(template):
    stateful = list(
        template.each(
            "AWS::DynamoDB::Table",
            "AWS::S3::Bucket",
            "AWS::SecretsManager::Secret",
            "AWS::SES::EmailIdentity",
        )
    )
    assert len(stateful) >= 9 + 3 + 6
    for stack, logical_id in stateful:
        if logical_id == "IdempotencyTable":
            continue  # 24-hour replay records: nothing to keep, deleted with the stack
        spec = stack.resources[logical_id]
        assert (spec.get("DeletionPolicy"), spec.get("UpdateReplacePolicy")) == ("Retain", "Retain"), (
            logical_id
        )
    queues = list(template.each("AWS::SQS::Queue"))
    dlq_arns = {
        stack.resolve(stack.properties(q)["RedrivePolicy"]["deadLetterTargetArn"])
        for stack, q in queues
        if "RedrivePolicy" in stack.properties(q)
    } | _error_action_queue_arns(template)
    for stack, logical_id in queues:
        retention = stack.properties(logical_id).get("MessageRetentionPeriod")
        assert retention is not None, f"{logical_id} does not state its retention"
        if stack.physical[logical_id].attrs["Arn"] in dlq_arns:
            assert retention == 1209600, f"{logical_id}: a DLQ keeps messages 14 days (the maximum)"


def test_no_stage_lets_every_origin_call_the_api_from_a_browser():
    default = load_template(TEMPLATE).parameters["CorsAllowOrigins"]
    assert "*" not in default
    for section in ("default", "dev", "prod"):
        origins = _stage_parameters(section)["CorsAllowOrigins"].split(",")
        assert origins, section
        assert all(origin.startswith("https://") and "*" not in origin for origin in origins), section
