"""Create in moto every resource the template declares: tables, buckets, queues, topics, secrets,
SES identities, the bus and its rules.

EventBridge rules keep AWS's own pattern matching (moto's): a rule whose target is a Lambda
function gets a "tap" SQS queue as its target instead (moto fails the whole PutEvents call for
Lambda targets), and the runtime delivers from the tap queue to the function. Resource types that
have no local meaning (IAM, log groups, alarms, policies, the API itself) are listed as skipped.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from typing import Any

import boto3

from fitconnect_local.functions import RULE_TYPES, FunctionSpec
from fitconnect_local.template import (
    ACCOUNT_ID,
    LOCAL_KEY_ID_TAG,
    REGION,
    Template,
    TemplateError,
    platform_application_arn,
    platform_applications,
)

LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

# Declared types with nothing to create locally (they matter in AWS; locally nothing enforces them).
NOT_PROVISIONED = {
    "AWS::Serverless::Function",  # run by worker pools
    "AWS::Serverless::LayerVersion",  # put on the worker's sys.path
    "AWS::Serverless::Application",  # a nested stack: its resources are provisioned with the root's
    "AWS::ApiGatewayV2::Api",  # served by the gateway, with its stage, authorizer, routes and
    "AWS::ApiGatewayV2::Stage",  # integrations
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::Logs::LogGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::S3::BucketPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::SNS::TopicPolicy",
    "AWS::Lambda::Permission",  # enforced by the gateway, the IoT bridge and the schedules
    "AWS::Lambda::EventInvokeConfig",
    "AWS::IoT::TopicRule",  # the IoT bridge subscribes to its topics and runs its SQL
    # The lake's catalogue and query engine: locally `make query` runs the named queries' SQL with
    # DuckDB over the archive (fitconnect_local.lake), as moto's Athena executes nothing.
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
    "AWS::Athena::NamedQuery",
    "AWS::CloudWatch::Dashboard",  # dashboards and alarms watch AWS's metrics: GET /_local/metrics here
    "AWS::KMS::Alias",
    # The web client's CDN: the gateway serves web/dist under the same path with the policy's
    # headers (fitconnect_local.web_client).
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::SNS::Subscription",  # the alarm e-mail (no alarm fires locally)
}


def aws_client(service: str, endpoint: str | None) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, **LOCAL_CREDENTIALS)


@dataclass(frozen=True)
class RuleRoute:
    """A rule whose matching events the runtime hands to a function (through its tap queue)."""

    rule_name: str
    function_id: str
    source: str  # the function's rule event, or the logical id of an explicit rule
    tap_queue_url: str
    input: str | None = None
    input_path: str | None = None


def table_requests(template: Template) -> list[dict[str, Any]]:
    """CreateTable arguments for every table, straight from the template (tests use them too)."""
    requests = []
    for stack, logical_id in template.each("AWS::DynamoDB::Table"):
        props = stack.resolve(stack.properties(logical_id))
        request = {
            "TableName": stack.physical[logical_id].ref,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        for optional in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"):
            if optional in props:
                request[optional] = props[optional]
        if request["BillingMode"] == "PROVISIONED":
            request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        requests.append(request)
    return requests


def ttl_attributes(template: Template) -> dict[str, str]:
    """Table name → its TTL attribute (moto keeps expired items: readers must filter on expiry)."""
    result = {}
    for stack, logical_id in template.each("AWS::DynamoDB::Table"):
        ttl = stack.properties(logical_id).get("TimeToLiveSpecification") or {}
        if ttl.get("Enabled"):
            result[stack.physical[logical_id].ref] = ttl["AttributeName"]
    return result


class Provisioner:
    def __init__(self, template: Template, endpoint: str | None, functions: dict[str, FunctionSpec]) -> None:
        self.template = template
        self.endpoint = endpoint
        self.functions = functions
        self.skipped: list[str] = []
        self.secret_values: dict[str, str] = {}

    def provision(self) -> list[RuleRoute]:
        handled = {
            "AWS::DynamoDB::Table",
            "AWS::S3::Bucket",
            "AWS::SQS::Queue",
            "AWS::Kinesis::Stream",
            "AWS::SNS::Topic",
            "AWS::SecretsManager::Secret",
            "AWS::KMS::Key",
            "AWS::SSM::Parameter",
            "AWS::SES::EmailIdentity",
            "AWS::Events::EventBus",
            "AWS::Events::Rule",
            "AWS::IoT::ThingType",
            "AWS::IoT::Policy",
        }
        for stack in self.template.stacks():
            for logical_id, spec in stack.resources.items():
                kind = spec.get("Type", "")
                if kind in NOT_PROVISIONED:
                    self.skipped.append(f"{logical_id} ({kind})")
                elif kind not in handled:
                    raise TemplateError(
                        f"{logical_id}: resource type {kind} is not supported by the local runtime"
                    )
        self._tables()
        self._buckets()
        self._topics()
        self._platform_applications()
        self._keys()
        self._secrets()
        self._parameters()
        self._email_identities()
        self._queues()
        self._streams()
        self._buses()
        self._iot_registry()
        return self._rules()

    # -- storage
    def _tables(self) -> None:
        dynamodb = aws_client("dynamodb", self.endpoint)
        for request in table_requests(self.template):
            dynamodb.create_table(**request)
        for table, attribute in ttl_attributes(self.template).items():
            dynamodb.update_time_to_live(
                TableName=table, TimeToLiveSpecification={"AttributeName": attribute, "Enabled": True}
            )

    def _streams(self) -> None:
        kinesis = aws_client("kinesis", self.endpoint)
        for stack, logical_id in self.template.each("AWS::Kinesis::Stream"):
            props = stack.resolve(stack.properties(logical_id))
            kinesis.create_stream(
                StreamName=stack.physical[logical_id].ref,
                ShardCount=int(props.get("ShardCount", 1)),
                StreamModeDetails=props.get("StreamModeDetails") or {"StreamMode": "PROVISIONED"},
            )

    def _buckets(self) -> None:
        s3 = aws_client("s3", self.endpoint)
        for stack, logical_id in self.template.each("AWS::S3::Bucket"):
            name = stack.physical[logical_id].ref
            props = stack.resolve(stack.properties(logical_id))
            s3.create_bucket(Bucket=name)
            if "PublicAccessBlockConfiguration" in props:
                s3.put_public_access_block(
                    Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
                )
            if "BucketEncryption" in props:
                # CloudFormation and the S3 API spell the same rule differently.
                rules = [
                    {
                        "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                        **(
                            {"BucketKeyEnabled": rule["BucketKeyEnabled"]}
                            if "BucketKeyEnabled" in rule
                            else {}
                        ),
                    }
                    for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
                s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
            if "CorsConfiguration" in props:
                s3.put_bucket_cors(Bucket=name, CORSConfiguration=_cors_rules(props["CorsConfiguration"]))
            if (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            _bucket_notifications(s3, logical_id, name, props.get("NotificationConfiguration") or {})

    # -- messaging
    def _topics(self) -> None:
        sns = aws_client("sns", self.endpoint)
        for stack, logical_id in self.template.each("AWS::SNS::Topic"):
            sns.create_topic(Name=stack.physical[logical_id].attrs["TopicName"])

    def _platform_applications(self) -> None:
        """The ones the template's parameters still name (a deployment may pass real ARNs)."""
        sns = aws_client("sns", self.endpoint)
        for parameter, spec in platform_applications(self.template.body).items():
            if self.template.parameters.get(parameter) == platform_application_arn(spec):
                sns.create_platform_application(
                    Name=spec["Name"], Platform=spec["Platform"], Attributes={"PlatformCredential": "local"}
                )

    def _queues(self) -> None:
        sqs = aws_client("sqs", self.endpoint)
        queues = list(self.template.each("AWS::SQS::Queue"))
        # Dead-letter queues first: a redrive policy must point at an existing queue.
        ordered = sorted(queues, key=lambda q: "RedrivePolicy" in q[0].properties(q[1]))
        for stack, logical_id in ordered:
            props = stack.resolve(stack.properties(logical_id))
            physical = stack.physical[logical_id]
            attributes = {
                key: str(props[key])
                for key in (
                    "VisibilityTimeout",
                    "MessageRetentionPeriod",
                    "DelaySeconds",
                    "ReceiveMessageWaitTimeSeconds",
                    "MaximumMessageSize",
                )
                if key in props
            }
            if props.get("FifoQueue"):
                attributes["FifoQueue"] = "true"
                if props.get("ContentBasedDeduplication"):
                    attributes["ContentBasedDeduplication"] = "true"
            if "RedrivePolicy" in props:
                attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
            url = sqs.create_queue(QueueName=physical.attrs["QueueName"], Attributes=attributes)["QueueUrl"]
            physical.ref = url

    def _buses(self) -> None:
        events = aws_client("events", self.endpoint)
        for stack, logical_id in self.template.each("AWS::Events::EventBus"):
            events.create_event_bus(Name=stack.physical[logical_id].ref)

    def _iot_registry(self) -> None:
        """Thing types and device policies, so enrolment works against moto as against IoT Core."""
        iot = aws_client("iot", self.endpoint)
        for stack, logical_id in self.template.each("AWS::IoT::ThingType"):
            props = stack.resolve(stack.properties(logical_id)).get("ThingTypeProperties") or {}
            # CloudFormation spells the API's camelCase keys with a capital first letter.
            properties = {key[0].lower() + key[1:]: value for key, value in props.items()}
            iot.create_thing_type(
                thingTypeName=stack.physical[logical_id].ref, thingTypeProperties=properties
            )
        for stack, logical_id in self.template.each("AWS::IoT::Policy"):
            document = stack.resolve(stack.properties(logical_id))["PolicyDocument"]
            iot.create_policy(policyName=stack.physical[logical_id].ref, policyDocument=json.dumps(document))

    # -- keys, secrets and identities
    def _keys(self) -> None:
        """Each KMS key with the id its functions were given (see moto_server.template_key_ids)."""
        kms = aws_client("kms", self.endpoint)
        for stack, logical_id in self.template.each("AWS::KMS::Key"):
            props = stack.properties(logical_id)
            key_id = stack.physical[logical_id].attrs["KeyId"]
            kms.create_key(
                Description=str(props.get("Description") or logical_id),
                Tags=[{"TagKey": LOCAL_KEY_ID_TAG, "TagValue": key_id}],
            )

    def _secrets(self) -> None:
        manager = aws_client("secretsmanager", self.endpoint)
        for stack, logical_id in self.template.each("AWS::SecretsManager::Secret"):
            spec = stack.resources[logical_id]
            props = stack.resolve(spec.get("Properties") or {})
            value = _local_secret_value(props, (spec.get("Metadata") or {}).get("LocalRuntime") or {})
            physical = stack.physical[logical_id]
            arn = manager.create_secret(Name=physical.attrs["Name"], SecretString=value)["ARN"]
            physical.ref = arn
            self.secret_values[logical_id] = value

    def _parameters(self) -> None:
        ssm = aws_client("ssm", self.endpoint)
        for stack, logical_id in self.template.each("AWS::SSM::Parameter"):
            props = stack.resolve(stack.properties(logical_id))
            ssm.put_parameter(
                Name=stack.physical[logical_id].ref,
                Value=str(props["Value"]),
                Type=str(props.get("Type", "String")),
                Overwrite=True,
            )

    def _email_identities(self) -> None:
        ses = aws_client("ses", self.endpoint)
        for stack, logical_id in self.template.each("AWS::SES::EmailIdentity"):
            identity = str(stack.resolve(stack.properties(logical_id)["EmailIdentity"]))
            if "@" in identity:
                ses.verify_email_identity(EmailAddress=identity)
            else:
                ses.verify_domain_identity(Domain=identity)

    # -- rules
    def _rules(self) -> list[RuleRoute]:
        events = aws_client("events", self.endpoint)
        sqs = aws_client("sqs", self.endpoint)
        arn_to_function = {spec.arn: logical_id for logical_id, spec in self.functions.items()}
        routes: list[RuleRoute] = []
        for stack, logical_id in self.template.each("AWS::Events::Rule"):
            props = stack.resolve(stack.properties(logical_id))
            if "EventPattern" not in props:
                raise TemplateError(
                    f"{logical_id}: give schedules to functions as Schedule/ScheduleV2 events"
                )
            name = stack.physical[logical_id].ref
            bus = props.get("EventBusName", "default")
            _put_rule(events, name, bus, props["EventPattern"], props.get("State", "ENABLED"))
            for target in props.get("Targets") or []:
                if "InputTransformer" in target:
                    raise TemplateError(f"{logical_id}: InputTransformer is not supported locally")
                function_id = arn_to_function.get(target["Arn"])
                if function_id is None:
                    events.put_targets(Rule=name, EventBusName=bus, Targets=[_sqs_target(target)])
                else:
                    routes.append(self._tap(events, sqs, name, bus, function_id, logical_id, target))
        for function_id, spec in self.functions.items():
            for source in spec.events_of(*RULE_TYPES):
                props = source.properties
                stack_name = self.template.owner(function_id).stack_name
                name = str(props.get("RuleName") or f"{stack_name}-{function_id}-{source.name}")[:64]
                bus = props.get("EventBusName", "default")
                _put_rule(events, name, bus, props["Pattern"], props.get("State", "ENABLED"))
                routes.append(self._tap(events, sqs, name, bus, function_id, source.name, props))
        return routes

    def _tap(
        self,
        events: Any,
        sqs: Any,
        rule: str,
        bus: str,
        function_id: str,
        source: str,
        target: dict[str, Any],
    ) -> RuleRoute:
        queue_name = f"localrt-tap-{rule}"[:80]
        url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_name}"
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "local-tap", "Arn": arn}])
        return RuleRoute(rule, function_id, source, url, target.get("Input"), target.get("InputPath"))


def _put_rule(events: Any, name: str, bus: str, pattern: dict[str, Any], state: str) -> None:
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern), State=state)


def _sqs_target(target: dict[str, Any]) -> dict[str, Any]:
    allowed = {"Id", "Arn", "Input", "InputPath", "SqsParameters", "RetryPolicy", "DeadLetterConfig"}
    unknown = set(target) - allowed
    if unknown:
        raise TemplateError(f"rule target {target.get('Id')}: unsupported properties {sorted(unknown)}")
    return {
        key: value
        for key, value in target.items()
        if key in {"Id", "Arn", "Input", "InputPath", "SqsParameters"}
    }


def _local_secret_value(props: dict[str, Any], local: dict[str, Any]) -> str:
    """The value a secret gets locally: the template's, its LocalRuntime metadata's, or generated.

    `{{random}}` in a LocalRuntime `SecretString` becomes 32 random characters, so local secrets are
    generated per run and never committed.
    """
    if "SecretString" in local:
        text = str(local["SecretString"])
        while "{{random}}" in text:
            text = text.replace("{{random}}", _random_text(32), 1)
        return text
    if "SecretString" in props:
        return str(props["SecretString"])
    generate = props.get("GenerateSecretString") or {}
    secret = _random_text(int(generate.get("PasswordLength", 32)))
    if "SecretStringTemplate" in generate:
        document = json.loads(generate["SecretStringTemplate"])
        document[generate.get("GenerateStringKey", "password")] = secret
        return json.dumps(document)
    return secret


def _random_text(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _cors_rules(configuration: dict[str, Any]) -> dict[str, Any]:
    """A bucket's CORS rules as the S3 API spells what CloudFormation calls them."""
    names = {"Id": "ID", "MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders"}
    return {
        "CORSRules": [
            {names.get(key, key): value for key, value in rule.items()} for rule in configuration["CorsRules"]
        ]
    }


def _bucket_notifications(s3: Any, logical_id: str, name: str, notifications: dict[str, Any]) -> None:
    """EventBridge notifications (S3 → the default bus → rules); direct Lambda, queue and topic
    notifications are refused rather than silently not delivered."""
    direct = sorted(set(notifications) - {"EventBridgeConfiguration"})
    if direct:
        raise TemplateError(f"{logical_id}: {direct[0]} is not supported locally; use EventBridge")
    if (notifications.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled"):
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration={"EventBridgeConfiguration": {}}
        )
