"""Who may invoke what, decided as AWS decides it, from the translated templates.

`sam deploy` sends CloudFormation the output of the SAM translator, not the SAM template: the
`AWS::Lambda::Permission`s it adds for event sources (IoT rules, schedules of v1), the roles it makes
for EventBridge Scheduler and for each function (its `Policies` and the managed policies its event
sources need) exist only there. This module translates each stack with samtranslator, as `sam` does,
and answers three questions the runtime asks before it invokes a function:

- may this service principal invoke that function from that source ARN (resource policies)?
- may this role perform that action on that resource (identity policies: schedules' roles, the
  function's role for its SQS event source)?
- which statements make up a function's role (for the deploy rehearsal's IAM checks)?

Deny statements are honoured; conditions, permission boundaries and service control policies are
not modelled: the runtime is strict where the templates could be wrong (a missing grant), not a
full IAM engine.
"""

from __future__ import annotations

import copy
import fnmatch
from dataclasses import dataclass, field
from typing import Any

from fitconnect_local.template import (
    ACCOUNT_ID,
    PARTITION,
    REGION,
    Template,
    TemplateError,
    physical_of,
)

# AWS managed policies SAM attaches by itself, with the part of them the runtime checks.
MANAGED_POLICIES: dict[str, list[dict[str, Any]]] = {
    "service-role/AWSLambdaBasicExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }
    ],
    "AWSXrayWriteOnlyAccess": [{"Effect": "Allow", "Action": ["xray:Put*", "xray:Get*"], "Resource": "*"}],
    "service-role/AWSLambdaKinesisExecutionRole": [
        {
            "Effect": "Allow",
            "Action": [
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
                "kinesis:ListStreams",
                "kinesis:SubscribeToShard",
            ],
            "Resource": "*",
        }
    ],
    "service-role/AWSLambdaSQSQueueExecutionRole": [
        {
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": "*",
        }
    ],
}


def translate(stack: Template) -> dict[str, Any]:
    """The CloudFormation template `sam deploy` would send for this stack (code locations are
    placeholders: the translator needs S3 URIs, and packaging is not what is checked here)."""
    # Imported here: 0.3 s, needed once at start and by the deploy rehearsal only.
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    body = copy.deepcopy(stack.body)
    for spec in (body.get("Resources") or {}).values():
        props = spec.get("Properties") or {}
        if spec.get("Type") == "AWS::Serverless::Function":
            props["CodeUri"] = "s3://fitconnect-local/code.zip"
        elif spec.get("Type") == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = "s3://fitconnect-local/layer.zip"
        elif spec.get("Type") == "AWS::Serverless::Application":
            props["Location"] = "https://s3.amazonaws.com/fitconnect-local/nested.yaml"
    parameters = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": PARTITION}
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name=REGION))
    try:
        return translator.translate(body, parameter_values=parameters, get_managed_policy_map=dict)
    except Exception as error:  # the translator's own errors carry the reason
        raise TemplateError(f"{stack.path}: SAM cannot translate it: {error}") from error
    finally:
        translator.metrics.publish()  # to its dummy publisher; else it warns when collected


def translated_stack(stack: Template) -> Template:
    """The translated template, resolvable like the SAM one (same parameters and physical names)."""
    body = translate(stack)
    view = Template(
        path=stack.path,
        body=body,
        stack_name=stack.stack_name,
        parameters=stack.parameters,
        physical=dict(stack.physical),
    )
    for logical_id, spec in body["Resources"].items():
        if logical_id not in view.physical:
            view.physical[logical_id] = physical_of(view, logical_id, spec)
    return view


@dataclass(frozen=True)
class Grant:
    """One `AWS::Lambda::Permission`: a principal may invoke a function, from a source ARN."""

    logical_id: str
    function_name: str
    principal: str
    source_arn: str | None

    def covers(self, function_name: str, principal: str, source_arn: str) -> bool:
        return (
            self.function_name == function_name
            and self.principal == principal
            and (self.source_arn is None or fnmatch.fnmatchcase(source_arn, self.source_arn))
        )


@dataclass
class Policies:
    grants: list[Grant] = field(default_factory=list)
    roles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # role ARN → statements
    function_roles: dict[str, str] = field(default_factory=dict)  # function logical id → role ARN
    schedule_roles: dict[str, str] = field(default_factory=dict)  # schedule logical id → role ARN
    translated: dict[str, Template] = field(default_factory=dict)  # stack name → translated view

    def may_invoke(self, function_name: str, principal: str, source_arn: str) -> bool:
        return any(grant.covers(function_name, principal, source_arn) for grant in self.grants)

    def role_allows(self, role_arn: str, action: str, resource: str) -> bool:
        return statements_allow(self.roles.get(role_arn, []), action, resource)

    def function_statements(self, function_id: str) -> list[dict[str, Any]]:
        """What the function's role allows (its own policies and the managed ones SAM adds)."""
        return self.roles.get(self.function_roles.get(function_id, ""), [])


def load_policies(template: Template) -> Policies:
    policies = Policies()
    for stack in template.stacks():
        view = translated_stack(stack)
        policies.translated[stack.stack_name] = view
        managed = {
            view.physical[logical_id].ref: _statements(
                view.resolve(view.properties(logical_id))["PolicyDocument"]
            )
            for logical_id in view.of_type("AWS::IAM::ManagedPolicy")
        }
        for logical_id in view.of_type("AWS::IAM::Role"):
            props = view.resolve(view.properties(logical_id))
            statements = [
                statement
                for policy in props.get("Policies") or []
                for statement in _statements(policy.get("PolicyDocument") or {})
            ]
            for arn in props.get("ManagedPolicyArns") or []:
                statements += managed.get(arn) or MANAGED_POLICIES.get(arn.split(":policy/", 1)[-1], [])
            policies.roles[view.physical[logical_id].attrs["Arn"]] = statements
        for logical_id in view.of_type("AWS::Lambda::Function"):
            role = view.properties(logical_id).get("Role")
            if role is not None:
                policies.function_roles[logical_id] = str(view.resolve(role))
        for logical_id in view.of_type("AWS::Scheduler::Schedule"):
            target = view.resolve(view.properties(logical_id)).get("Target") or {}
            policies.schedule_roles[logical_id] = str(target.get("RoleArn", ""))
        for logical_id in view.of_type("AWS::Lambda::Permission"):
            props = view.resolve(view.properties(logical_id))
            if props.get("Action") != "lambda:InvokeFunction":
                continue
            policies.grants.append(
                Grant(
                    logical_id=logical_id,
                    function_name=_function_name(str(props["FunctionName"])),
                    principal=str(props["Principal"]),
                    source_arn=str(props["SourceArn"]) if "SourceArn" in props else None,
                )
            )
    return policies


def _function_name(name_or_arn: str) -> str:
    return (
        name_or_arn.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in name_or_arn else name_or_arn
    )


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement") or []
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[str]:
    return [str(item) for item in (value if isinstance(value, list) else [value])]


def statements_allow(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    """An Allow statement matches the action and the resource, and no Deny does."""
    verdicts = set()
    for statement in statements:
        if not _matches_action(statement, action) or not _matches_resource(statement, resource):
            continue
        verdicts.add(statement.get("Effect"))
    return "Allow" in verdicts and "Deny" not in verdicts


def _matches_action(statement: dict[str, Any], action: str) -> bool:
    action = action.lower()
    if "NotAction" in statement:
        return not any(fnmatch.fnmatchcase(action, a.lower()) for a in _as_list(statement["NotAction"]))
    return any(fnmatch.fnmatchcase(action, a.lower()) for a in _as_list(statement.get("Action", [])))


def _matches_resource(statement: dict[str, Any], resource: str) -> bool:
    if "NotResource" in statement:
        return not any(fnmatch.fnmatchcase(resource, r) for r in _as_list(statement["NotResource"]))
    return any(fnmatch.fnmatchcase(resource, r) for r in _as_list(statement.get("Resource", [])))


SERVICE_PRINCIPALS = {
    "Schedule": "events.amazonaws.com",
    "EventBridgeRule": "events.amazonaws.com",
    "CloudWatchEvent": "events.amazonaws.com",
    "IoTRule": "iot.amazonaws.com",
}
SQS_POLLER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
KINESIS_POLLER_ACTIONS = (
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
)


def trigger_denials(
    template: Template, functions: dict[str, Any], policies: Policies
) -> dict[tuple[str, str], str]:
    """(function id, event or rule id) → why AWS would not deliver that trigger to the function.

    SAM names what it makes for an event `<function id><event name>` (the rule, topic rule or
    schedule, and its role); an explicit rule's target is checked under the rule's logical id.
    """
    denials: dict[tuple[str, str], str] = {}
    for function_id, spec in functions.items():
        view = policies.translated[template.owner(function_id).stack_name]
        for source in spec.events:
            reason = _trigger_denial(view, policies, function_id, spec, source)
            if reason:
                denials[(function_id, source.name)] = reason
    arn_to_function = {spec.arn: function_id for function_id, spec in functions.items()}
    for stack, rule_id in template.each("AWS::IoT::TopicRule"):
        rule = topic_rule(stack, rule_id)
        function_id = arn_to_function.get(rule.function_arn)
        if function_id is not None and not policies.may_invoke(
            functions[function_id].name, "iot.amazonaws.com", rule.arn
        ):
            denials[(function_id, rule_id)] = _no_grant("iot.amazonaws.com", rule.arn)
    for stack, rule_id in template.each("AWS::Events::Rule"):
        props = stack.resolve(stack.properties(rule_id))
        for target in props.get("Targets") or []:
            function_id = arn_to_function.get(str(target.get("Arn")))
            if function_id is not None:
                rule_arn = stack.physical[rule_id].attrs["Arn"]
                name = functions[function_id].name
                if not policies.may_invoke(name, "events.amazonaws.com", rule_arn):
                    denials[(function_id, rule_id)] = _no_grant("events.amazonaws.com", rule_arn)
    return denials


@dataclass(frozen=True)
class TopicRule:
    """An explicit `AWS::IoT::TopicRule` with one action, a Lambda function's or a Kinesis stream's
    (its partition key a substitution template, put with the rule's role), and optionally an SQS
    error action."""

    logical_id: str
    arn: str
    sql: str
    sql_version: str
    function_arn: str | None
    error_queue_url: str | None
    error_role_arn: str | None
    stream_name: str | None = None
    partition_key: str | None = None
    role_arn: str | None = None


def topic_rule(stack: Template, logical_id: str) -> TopicRule:
    payload = stack.resolve(stack.properties(logical_id))["TopicRulePayload"]
    actions = payload.get("Actions") or []
    if len(actions) != 1 or set(actions[0]) not in ({"Lambda"}, {"Kinesis"}):
        raise TemplateError(f"{logical_id}: a topic rule runs locally with one Lambda or Kinesis action")
    kinesis = actions[0].get("Kinesis") or {}
    error = payload.get("ErrorAction") or {}
    if error and set(error) != {"Sqs"}:
        raise TemplateError(f"{logical_id}: only an Sqs error action is supported locally")
    return TopicRule(
        logical_id=logical_id,
        arn=stack.physical[logical_id].attrs["Arn"],
        sql=str(payload["Sql"]),
        sql_version=str(payload.get("AwsIotSqlVersion", "2015-10-08")),
        function_arn=str(actions[0]["Lambda"]["FunctionArn"]) if "Lambda" in actions[0] else None,
        error_queue_url=str(error["Sqs"]["QueueUrl"]) if error else None,
        error_role_arn=str(error["Sqs"]["RoleArn"]) if error else None,
        stream_name=str(kinesis["StreamName"]) if kinesis else None,
        partition_key=str(kinesis.get("PartitionKey") or "${newuuid()}") if kinesis else None,
        role_arn=str(kinesis["RoleArn"]) if kinesis else None,
    )


def _trigger_denial(
    view: Template, policies: Policies, function_id: str, spec: Any, source: Any
) -> str | None:
    generated = f"{function_id}{source.name}"
    if source.type in SERVICE_PRINCIPALS:
        principal = SERVICE_PRINCIPALS[source.type]
        source_arn = view.physical[generated].attrs["Arn"]  # the rule SAM made for the event
        if policies.may_invoke(spec.name, principal, source_arn):
            return None
        return _no_grant(principal, source_arn)
    if source.type == "ScheduleV2":
        role = policies.schedule_roles.get(generated, "")
        if policies.role_allows(role, "lambda:InvokeFunction", spec.arn):
            return None
        return f"the schedule's role {role or '(none)'} may not lambda:InvokeFunction on {spec.arn}"
    if source.type == "SQS":
        role = policies.function_roles.get(function_id, "")
        queue = str(source.properties["Queue"])
        missing = [action for action in SQS_POLLER_ACTIONS if not policies.role_allows(role, action, queue)]
        return f"the function's role may not {', '.join(missing)} on {queue}" if missing else None
    if source.type == "Kinesis":
        return _kinesis_denial(policies, function_id, source.properties)
    return None


def _kinesis_denial(policies: Policies, function_id: str, properties: dict[str, Any]) -> str | None:
    """CloudFormation refuses a stream's event source mapping whose role cannot read the stream or
    send to its on-failure destination."""
    role = policies.function_roles.get(function_id, "")
    stream = str(properties["Stream"])
    missing = [action for action in KINESIS_POLLER_ACTIONS if not policies.role_allows(role, action, stream)]
    if missing:
        return f"the function's role may not {', '.join(missing)} on {stream}"
    destination = ((properties.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination and not policies.role_allows(role, "sqs:SendMessage", str(destination)):
        return f"the function's role may not sqs:SendMessage to its on-failure destination {destination}"
    return None


def _no_grant(principal: str, source_arn: str) -> str:
    return f"no AWS::Lambda::Permission lets {principal} invoke it from {source_arn}"
