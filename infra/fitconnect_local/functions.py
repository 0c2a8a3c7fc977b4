"""Each `AWS::Serverless::Function` of the template as plain data: code, handler, environment, events.

Event sources are checked strictly: a type or property the local runtime does not implement is an
error at start, never a trigger that silently does nothing (cfn-lint does not catch misspellings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fitconnect_local.template import Template, TemplateError

# Event source type → the properties the runtime understands (and honours, or knowingly ignores).
SUPPORTED_EVENTS: dict[str, set[str]] = {
    "SQS": {
        "Queue",
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "FunctionResponseTypes",
        "Enabled",
        "ScalingConfig",
    },
    "Schedule": {
        "Schedule",
        "Input",
        "Enabled",
        "State",
        "Name",
        "Description",
        "RetryPolicy",
        "DeadLetterConfig",
    },
    "ScheduleV2": {
        "ScheduleExpression",
        "ScheduleExpressionTimezone",
        "Input",
        "State",
        "Name",
        "Description",
        "FlexibleTimeWindow",
        "RetryPolicy",
        "DeadLetterConfig",
        "StartDate",
        "EndDate",
        "GroupName",
        "OmitName",
        "PermissionsBoundary",
        "RoleArn",
        "KmsKeyArn",
    },
    "EventBridgeRule": {
        "Pattern",
        "EventBusName",
        "Input",
        "InputPath",
        "RetryPolicy",
        "DeadLetterConfig",
        "Target",
        "RuleName",
        "State",
    },
    "CloudWatchEvent": {"Pattern", "EventBusName", "Input", "InputPath", "State"},
    "IoTRule": {"Sql", "AwsIotSqlVersion"},
    # ParallelizationFactor and TumblingWindowInSeconds are not implemented: absent, they are refused.
    "Kinesis": {
        "Stream",
        "StartingPosition",
        "BatchSize",
        "MaximumBatchingWindowInSeconds",
        "FunctionResponseTypes",
        "BisectBatchOnFunctionError",
        "MaximumRetryAttempts",
        "MaximumRecordAgeInSeconds",
        "DestinationConfig",
        "Enabled",
    },
}
SCHEDULE_TYPES = {"Schedule", "ScheduleV2"}
RULE_TYPES = {"EventBridgeRule", "CloudWatchEvent"}


@dataclass
class EventSource:
    name: str
    type: str
    properties: dict[str, Any]


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    runtime: str
    timeout_s: int
    memory_mb: int
    environment: dict[str, str]
    layer_dirs: list[Path]
    events: list[EventSource] = field(default_factory=list)

    def events_of(self, *types: str) -> list[EventSource]:
        return [event for event in self.events if event.type in types]


def function_specs(template: Template) -> dict[str, FunctionSpec]:
    """Every function of the template and of its nested stacks, by logical id."""
    layers = _layer_folders(template)
    return {
        logical_id: _function_spec(stack, logical_id, layers)
        for stack, logical_id in template.each("AWS::Serverless::Function")
    }


def _layer_folders(template: Template) -> dict[str, Path]:
    """Layer version ARN → its content folder, for every layer in the tree (a nested stack gets
    the ARN of the root's layer as a parameter)."""
    return {
        stack.physical[logical_id].ref: (
            stack.root / str(stack.properties(logical_id)["ContentUri"])
        ).resolve()
        for stack, logical_id in template.each("AWS::Serverless::LayerVersion")
    }


def _function_spec(template: Template, logical_id: str, layers: dict[str, Path]) -> FunctionSpec:
    props = template.function_properties(logical_id)
    for required in ("CodeUri", "Handler"):
        if required not in props:
            raise TemplateError(f"{logical_id}: {required} is required locally")
    code_dir = (template.root / str(props["CodeUri"])).resolve()
    if not code_dir.is_dir():
        raise TemplateError(f"{logical_id}: CodeUri {props['CodeUri']} is not a folder")
    variables = template.resolve(((props.get("Environment") or {}).get("Variables")) or {})
    physical = template.physical[logical_id]
    return FunctionSpec(
        logical_id=logical_id,
        name=physical.ref,
        arn=physical.attrs["Arn"],
        code_dir=code_dir,
        handler=str(props["Handler"]),
        runtime=str(props.get("Runtime", "python3.13")),
        timeout_s=int(props.get("Timeout", 3)),
        memory_mb=int(props.get("MemorySize", 128)),
        environment={name: _env_string(value) for name, value in variables.items()},
        layer_dirs=[_layer_dir(template, logical_id, layer, layers) for layer in props.get("Layers") or []],
        events=[
            _event_source(template, logical_id, name, spec)
            for name, spec in (props.get("Events") or {}).items()
        ],
    )


def _env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _layer_dir(template: Template, function_id: str, layer: Any, layers: dict[str, Path]) -> Path:
    arn = str(template.resolve(layer))
    if arn not in layers:
        raise TemplateError(f"{function_id}: only layers of these templates can run locally, not {arn}")
    return layers[arn]


def _event_source(template: Template, function_id: str, name: str, spec: dict[str, Any]) -> EventSource:
    kind = spec.get("Type")
    if kind == "HttpApi":
        raise TemplateError(
            f"{function_id}.{name}: declare routes as AWS::ApiGatewayV2::Route + Integration + "
            "Lambda::Permission on the root API, as deployed (docs/decisions.md 20)"
        )
    if kind not in SUPPORTED_EVENTS:
        raise TemplateError(f"{function_id}.{name}: event type {kind} is not supported by the local runtime")
    props = spec.get("Properties") or {}
    unknown = set(props) - SUPPORTED_EVENTS[kind]
    if unknown:
        raise TemplateError(f"{function_id}.{name}: unknown {kind} properties {sorted(unknown)}")
    return EventSource(name=name, type=kind, properties=template.resolve(props))
