"""The deploy rehearsal: what only the translated templates show, checked before anything deploys.

    python -m fitconnect_local.rehearsal [template.yaml]     (make rehearse; part of make test)

`cfn-lint` reads the SAM templates; CloudFormation gets what the SAM translator makes of them. This
translates the root and every nested stack as `sam deploy` does and checks, per stack:
- CloudFormation's quotas: resources (500), parameters (200), outputs (200), with the headroom;
- every route's function and the authorizer can be invoked by API Gateway (a resource policy covers
  the route's ARN), every other trigger (schedules, IoT rules, EventBridge rules, SQS) can reach its
  function — the same decision the local runtime enforces on every call;
- no function role allows a data action on every resource (`*`), except the grants AWS itself
  requires or SAM attaches, each listed in WILDCARD_EXCEPTIONS with the reason.
It prints one line per stack and every problem, and exits non-zero on any problem.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fitconnect_local.apigw import Gateway
from fitconnect_local.functions import function_specs
from fitconnect_local.iam import Policies, load_policies, trigger_denials
from fitconnect_local.template import Template, load_template

QUOTAS = {"resources": 500, "parameters": 200, "outputs": 200}  # per stack (CloudFormation quotas)
# Keep room for a context to grow without a hurried split: warn the next author at 90 %.
HEADROOM_WARNING = 0.9
# Actions that read or change data, by service prefix: a wildcard resource on these is a finding.
DATA_SERVICES = ("dynamodb", "s3", "sqs", "sns", "secretsmanager", "events", "ses", "kms", "ssm", "iot")
# Wildcard grants that stay, and why (docs/decisions.md 21).
WILDCARD_EXCEPTIONS = {
    # SAM attaches this managed policy to every function with an SQS event source; the event source
    # mapping polls with it, the code never calls these actions.
    ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"): "AWSLambdaSQSQueueExecutionRole",
    # SMS to a phone number has no resource ARN: the statement allows Publish on anything that is
    # not an SNS ARN (NotResource arn:aws:sns:*:*:*), i.e. phone numbers only.
    ("sns:Publish",): "SMS to phone numbers",
    # IoT Core's certificate creation and endpoint lookup have no resource type in IAM.
    ("iot:CreateKeysAndCertificate", "iot:DescribeEndpoint"): "no resource type",
}


@dataclass
class StackReport:
    name: str
    path: Path
    counts: dict[str, int]
    functions: int
    routes: int


def rehearse(template: Template) -> tuple[list[StackReport], list[str]]:
    functions = function_specs(template)
    policies = load_policies(template)
    reports, problems = [], []
    for stack in template.stacks():
        translated = policies.translated[stack.stack_name].body
        counts = {
            "resources": len(translated.get("Resources") or {}),
            "parameters": len(translated.get("Parameters") or {}),
            "outputs": len(translated.get("Outputs") or {}),
        }
        for what, count in counts.items():
            if count > QUOTAS[what]:
                problems.append(
                    f"{stack.path.name} ({stack.stack_name}): {count} {what}, over {QUOTAS[what]}"
                )
        reports.append(
            StackReport(
                name=stack.stack_name,
                path=stack.path,
                counts=counts,
                functions=len(stack.of_type("AWS::Serverless::Function")),
                routes=len(stack.of_type("AWS::ApiGatewayV2::Route")),
            )
        )
    problems += unreachable_routes(template, functions, policies)
    problems += [
        f"{function_id}.{source}: {reason}"
        for (function_id, source), reason in trigger_denials(template, functions, policies).items()
    ]
    problems += wildcard_grants(functions, policies)
    return reports, problems


def unreachable_routes(template: Template, functions: dict[str, Any], policies: Policies) -> list[str]:
    """Routes and authorizers API Gateway could not invoke: the local gateway's own reading of the
    templates and its own permission check, for a request each route would take."""
    gateway = Gateway(template, functions, _no_invoke, _no_control, policies, lambda *_: None)
    problems = []
    authorizers = {route.authorizer.name: route.authorizer for route in gateway.routes if route.authorizer}
    for name, authorizer in sorted(authorizers.items()):
        source = gateway.execute_arn(f"authorizers/{authorizer.authorizer_id}")
        if not gateway.permitted(authorizer.function_id, source):
            problems.append(
                f"authorizer {name}: API Gateway may not invoke {authorizer.function_id} ({source})"
            )
    for route in gateway.routes:
        example = re.sub(r"\{[^}]+\}", "x", route.path)  # a request the route would take
        verb = "GET" if route.method == "ANY" else route.method
        source = gateway.execute_arn(f"$default/{verb}{example}")
        if not gateway.permitted(route.function_id, source):
            problems.append(
                f"route {route.route_key}: API Gateway may not invoke {route.function_id} ({source})"
            )
    return problems


def _no_invoke(function_id: str, event: Any) -> Any:
    raise AssertionError("the rehearsal invokes nothing")


def _no_control(*_: Any) -> Any:
    raise AssertionError("the rehearsal serves nothing")


def wildcard_grants(functions: dict[str, Any], policies: Policies) -> list[str]:
    problems = []
    for function_id in functions:
        for statement in policies.function_statements(function_id):
            if statement.get("Effect") != "Allow" or "NotResource" in statement:
                continue
            resources = statement.get("Resource")
            resources = resources if isinstance(resources, list) else [resources]
            actions = statement.get("Action")
            actions = tuple(actions if isinstance(actions, list) else [actions])
            data = [a for a in actions if a.split(":", 1)[0] in DATA_SERVICES]
            if data and "*" in resources and actions not in WILDCARD_EXCEPTIONS:
                problems.append(f"{function_id}: {', '.join(data)} on every resource (*)")
    return problems


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "template.yaml"
    template = load_template(path, parameters={"Stage": "dev"})
    reports, problems = rehearse(template)
    print(f"Deploy rehearsal of {path.name}: {len(reports)} stacks, as `sam deploy` translates them")
    print(
        f"{'stack':<34}{'resources':>10}{'headroom':>10}{'params':>8}{'outputs':>8}{'functions':>10}{'routes':>8}"
    )
    for report in reports:
        resources = report.counts["resources"]
        flag = "  (over 90 %)" if resources > HEADROOM_WARNING * QUOTAS["resources"] else ""
        print(
            f"{report.name:<34}{resources:>10}{QUOTAS['resources'] - resources:>10}"
            f"{report.counts['parameters']:>8}{report.counts['outputs']:>8}{report.functions:>10}"
            f"{report.routes:>8}{flag}"
        )
    total = sum(report.counts["resources"] for report in reports)
    print(f"{'all stacks':<34}{total:>10}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(
        "rehearsal: " + (f"{len(problems)} problem(s)" if problems else "every trigger reaches its function")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
