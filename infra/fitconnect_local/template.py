"""Read template.yaml and its nested stacks: CloudFormation tags, parameters, SAM Globals,
physical names and intrinsics.

The templates are the only list of what exists. This module turns them into plain data: each
resource's physical name/ARN/URL as AWS would give them (deterministically, for the local
account), and resolves `!Ref`, `!GetAtt`, `!Sub`, `!Join`, `!Select`, `!Split`, `!If` and friends
in whatever part of a template a caller asks for (environment variables, policies, patterns).
A nested stack (`AWS::Serverless::Application` with a local `Location`) is loaded as CloudFormation
would create it: its parameters resolved in the parent, its outputs as the parent's
`!GetAtt Stack.Outputs.Name`. Logical ids are unique across the whole tree, so the runtime can name
a function or a queue by its logical id alone.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
PARTITION = "aws"

_TAGS = {
    "!Ref": "Ref",
    "!GetAtt": "Fn::GetAtt",
    "!Sub": "Fn::Sub",
    "!Join": "Fn::Join",
    "!Select": "Fn::Select",
    "!Split": "Fn::Split",
    "!If": "Fn::If",
    "!Equals": "Fn::Equals",
    "!Not": "Fn::Not",
    "!And": "Fn::And",
    "!Or": "Fn::Or",
    "!FindInMap": "Fn::FindInMap",
    "!Base64": "Fn::Base64",
    "!ImportValue": "Fn::ImportValue",
    "!GetAZs": "Fn::GetAZs",
    "!Condition": "Condition",
}


class TemplateError(ValueError):
    """The template uses something the local runtime does not understand."""


class _CfnLoader(yaml.SafeLoader):
    pass


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    tag = "!" + tag_suffix
    key = _TAGS.get(tag)
    if key is None:
        raise TemplateError(f"unknown CloudFormation tag {tag}")
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if key == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open() as handle:
        return yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass with CFN tags


@dataclass
class Physical:
    """What AWS would say about one resource: its Ref value and its GetAtt attributes."""

    ref: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Template:
    path: Path
    body: dict[str, Any]
    stack_name: str
    parameters: dict[str, Any]
    physical: dict[str, Physical]
    children: dict[str, Template] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.body.get("Resources", {})

    def of_type(self, *types: str) -> dict[str, dict[str, Any]]:
        return {name: spec for name, spec in self.resources.items() if spec.get("Type") in types}

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resources[logical_id].get("Properties", {}) or {}

    def function_properties(self, logical_id: str) -> dict[str, Any]:
        """A function's properties with SAM Globals merged in (maps merge, lists append, scalars override)."""
        globals_ = (self.body.get("Globals") or {}).get("Function") or {}
        return _merge_globals(copy.deepcopy(globals_), self.properties(logical_id))

    def resolve(self, value: Any) -> Any:
        return _Resolver(self).resolve(value)

    def stacks(self) -> Iterator[Template]:
        """This stack and every stack nested under it, parents first."""
        yield self
        for child in self.children.values():
            yield from child.stacks()

    def each(self, *types: str) -> Iterator[tuple[Template, str]]:
        """(owning stack, logical id) of every resource of these types in the whole tree."""
        for stack in self.stacks():
            for logical_id in stack.of_type(*types):
                yield stack, logical_id

    def owner(self, logical_id: str) -> Template:
        """The stack that declares a resource (logical ids are unique across the tree)."""
        for stack in self.stacks():
            if logical_id in stack.resources:
                return stack
        raise TemplateError(f"no stack declares {logical_id}")


def _merge_globals(base: Any, local: Any) -> Any:
    if isinstance(base, dict) and isinstance(local, dict):
        merged = dict(base)
        for key, value in local.items():
            merged[key] = _merge_globals(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(local, list):
        return base + local
    return local


def load_template(
    path: str | Path,
    *,
    parameters: dict[str, str] | None = None,
    stack_name: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Template:
    """Parse and name a template. `environ` feeds the parameters the template's
    `Metadata.LocalRuntime.ParameterEnvironment` maps to variables, over the local defaults of
    `Metadata.LocalRuntime.Parameters` (explicit `parameters` win over both)."""
    path = Path(path).resolve()
    body = load_yaml(path)
    given = {**local_parameters(body), **environment_parameters(body, environ or {}), **(parameters or {})}
    params = _parameter_values(body, {**platform_application_parameters(body), **given})
    stack = stack_name or f"fitconnect-{params.get('Stage', 'local')}"
    template = _load_stack(path, body, stack, params)
    seen: dict[str, str] = {}
    for each in template.stacks():
        for logical_id in each.resources:
            if logical_id in seen:
                raise TemplateError(
                    f"{logical_id} is declared by {seen[logical_id]} and {each.path}: logical ids "
                    "must be unique across the nested stacks locally"
                )
            seen[logical_id] = str(each.path)
    return template


NESTED_STACK_TYPES = ("AWS::Serverless::Application",)


def _load_stack(path: Path, body: dict[str, Any], stack: str, params: dict[str, Any]) -> Template:
    template = Template(path=path, body=body, stack_name=stack, parameters=params, physical={})
    # As CloudFormation: a resource or output whose condition is false does not exist.
    for section in ("Resources", "Outputs"):
        entries = body.get(section) or {}
        for name in [n for n, spec in entries.items() if "Condition" in spec]:
            if not template.resolve({"Condition": entries[name]["Condition"]}):
                del entries[name]
    # Two passes: names that depend only on parameters first, then names that refer to those
    # (a rule names its bus with !Ref).
    deferred = []
    for logical_id, spec in template.resources.items():
        if spec.get("Type") in NESTED_STACK_TYPES:
            continue  # named once its parameters can be resolved (_load_children)
        try:
            template.physical[logical_id] = physical_of(template, logical_id, spec, names_only=True)
        except TemplateError:
            deferred.append(logical_id)
    for logical_id in deferred:
        template.physical[logical_id] = physical_of(template, logical_id, template.resources[logical_id])
    _load_children(template)
    return template


def _load_children(template: Template) -> None:
    """Nested stacks in an order CloudFormation could create them: one whose parameters read
    another's outputs waits for it (a cycle is an error, as it is in CloudFormation)."""
    waiting = dict(template.of_type(*NESTED_STACK_TYPES))
    while waiting:
        progressed = False
        for logical_id, spec in list(waiting.items()):
            props = spec.get("Properties") or {}
            try:
                given = {
                    name: _parameter_string(template.resolve(value))
                    for name, value in (props.get("Parameters") or {}).items()
                }
            except _NotYetCreated:
                continue
            location = props.get("Location")
            if not isinstance(location, str) or "://" in location:
                raise TemplateError(f"{logical_id}: only a local Location (a template path) runs locally")
            child_path = (template.root / location).resolve()
            child_body = load_yaml(child_path)
            child = _load_stack(
                child_path,
                child_body,
                f"{template.stack_name}-{logical_id}",
                _parameter_values(child_body, given),
            )
            template.children[logical_id] = child
            outputs = {
                f"Outputs.{name}": _parameter_string(child.resolve(output["Value"]))
                for name, output in (child_body.get("Outputs") or {}).items()
            }
            template.physical[logical_id] = Physical(
                f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{child.stack_name}/local",
                outputs,
            )
            del waiting[logical_id]
            progressed = True
        if not progressed:
            raise TemplateError(f"nested stacks wait for each other's outputs: {', '.join(sorted(waiting))}")


def _parameter_string(value: Any) -> Any:
    """CloudFormation passes nested stack parameters as strings; lists arrive joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return value if isinstance(value, str) else str(value)


class _NotYetCreated(TemplateError):
    """A nested stack's output that is not known yet (its stack is created later)."""


def local_parameters(body: dict[str, Any]) -> dict[str, str]:
    """`Metadata.LocalRuntime.Parameters`: values the local runtime uses where nothing else is given."""
    values = ((body.get("Metadata") or {}).get("LocalRuntime") or {}).get("Parameters") or {}
    return {name: str(value) for name, value in values.items()}


def environment_parameters(body: dict[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    mapping = ((body.get("Metadata") or {}).get("LocalRuntime") or {}).get("ParameterEnvironment") or {}
    return {parameter: environ[variable] for parameter, variable in mapping.items() if environ.get(variable)}


def platform_applications(body: dict[str, Any]) -> dict[str, dict[str, str]]:
    """`Metadata.LocalRuntime.PlatformApplications`: parameter → SNS platform application
    `{Name, Platform}` the runtime makes (CloudFormation has no such resource)."""
    return ((body.get("Metadata") or {}).get("LocalRuntime") or {}).get("PlatformApplications") or {}


def platform_application_arn(spec: dict[str, str]) -> str:
    return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT_ID}:app/{spec['Platform']}/{spec['Name']}"


def platform_application_parameters(body: dict[str, Any]) -> dict[str, str]:
    return {name: platform_application_arn(spec) for name, spec in platform_applications(body).items()}


def _parameter_values(body: dict[str, Any], overrides: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in (body.get("Parameters") or {}).items():
        value = overrides.get(name, spec.get("Default"))
        if value is None:
            raise TemplateError(f"parameter {name} has no default and no value")
        if spec.get("Type") == "CommaDelimitedList" and isinstance(value, str):
            value = [item.strip() for item in value.split(",")]
        _check_allowed(name, spec, value)
        values[name] = value
    unknown = set(overrides) - set(values)
    if unknown:
        raise TemplateError(f"unknown parameter(s): {', '.join(sorted(unknown))}")
    return values


def _check_allowed(name: str, spec: dict[str, Any], value: Any) -> None:
    """CloudFormation refuses a parameter value outside AllowedValues or AllowedPattern."""
    allowed = spec.get("AllowedValues")
    if allowed is not None and str(value) not in {str(item) for item in allowed}:
        raise TemplateError(f"parameter {name}: {value!r} is not one of {allowed}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(pattern, str(value)):
        raise TemplateError(f"parameter {name}: {value!r} does not match {pattern}")


def physical_of(
    template: Template, logical_id: str, spec: dict[str, Any], *, names_only: bool = False
) -> Physical:
    kind = spec.get("Type", "")
    props = spec.get("Properties") or {}
    stack = template.stack_name
    resolver = _Resolver(template, names_only=names_only)

    def named(prop: str, default: str) -> str:
        value = props.get(prop)
        return str(resolver.resolve(value)) if value is not None else default

    if kind == "AWS::DynamoDB::Table":
        name = named("TableName", f"{stack}-{logical_id}")
        arn = f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
        return Physical(name, {"Arn": arn, "StreamArn": f"{arn}/stream/local"})
    if kind == "AWS::SQS::Queue":
        name = named("QueueName", f"{stack}-{logical_id}")
        arn = f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:{name}"
        # The URL's host is the endpoint's; provisioning replaces it with moto's own answer.
        return Physical(f"http://localhost/{ACCOUNT_ID}/{name}", {"Arn": arn, "QueueName": name})
    if kind == "AWS::Kinesis::Stream":
        name = named("Name", f"{stack}-{logical_id}")
        return Physical(name, {"Arn": f"arn:{PARTITION}:kinesis:{REGION}:{ACCOUNT_ID}:stream/{name}"})
    if kind == "AWS::S3::Bucket":
        name = named("BucketName", f"{stack}-{logical_id}".lower()[:63])
        return Physical(
            name,
            {
                "Arn": f"arn:{PARTITION}:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{REGION}.amazonaws.com",
            },
        )
    if kind == "AWS::Events::EventBus":
        name = named("Name", f"{stack}-{logical_id}")
        return Physical(
            name, {"Arn": f"arn:{PARTITION}:events:{REGION}:{ACCOUNT_ID}:event-bus/{name}", "Name": name}
        )
    if kind == "AWS::Events::Rule":
        name = named("Name", f"{stack}-{logical_id}")[:64]
        bus = props.get("EventBusName")
        bus_name = str(resolver.resolve(bus)) if bus else "default"
        path = name if bus_name == "default" else f"{bus_name}/{name}"
        return Physical(name, {"Arn": f"arn:{PARTITION}:events:{REGION}:{ACCOUNT_ID}:rule/{path}"})
    if kind == "AWS::SNS::Topic":
        name = named("TopicName", f"{stack}-{logical_id}")
        arn = f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT_ID}:{name}"
        return Physical(arn, {"TopicName": name, "TopicArn": arn})
    if kind == "AWS::SecretsManager::Secret":
        name = named("Name", f"{stack}-{logical_id}")
        # Replaced by the ARN moto assigns (with its random suffix) once provisioned.
        return Physical(f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{name}", {"Name": name})
    if kind == "AWS::KMS::Key":
        # AWS picks a key's id; locally it is derived from the stack and logical id, and the
        # provisioner has moto use it (LOCAL_KEY_ID_TAG).
        key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{stack}/{logical_id}"))
        return Physical(
            key_id, {"Arn": f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT_ID}:key/{key_id}", "KeyId": key_id}
        )
    if kind == "AWS::SSM::Parameter":
        name = named("Name", f"{stack}-{logical_id}")
        arn_name = name.lstrip("/")
        return Physical(
            name,
            {
                "Type": props.get("Type", "String"),
                "Value": props.get("Value"),
                "Arn": f"arn:{PARTITION}:ssm:{REGION}:{ACCOUNT_ID}:parameter/{arn_name}",
            },
        )
    if kind == "AWS::Serverless::Function":
        name = named("FunctionName", f"{stack}-{logical_id}")
        return Physical(name, {"Arn": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"})
    if kind == "AWS::Serverless::LayerVersion":
        name = named("LayerName", f"{stack}-{logical_id}")
        return Physical(f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}:1")
    if kind == "AWS::Logs::LogGroup":
        name = named("LogGroupName", f"/aws/{stack}/{logical_id}")
        return Physical(name, {"Arn": f"arn:{PARTITION}:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}:*"})
    if kind == "AWS::Serverless::HttpApi":
        # Routes name their API with !Ref: keep the logical id so the gateway can match them.
        return Physical(logical_id, {"ApiEndpoint": "http://127.0.0.1:3000"})
    if kind == "AWS::IAM::Role":
        name = named("RoleName", f"{stack}-{logical_id}"[:64])
        return Physical(name, {"Arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/{name}"})
    if kind == "AWS::IoT::TopicRule":
        name = named("RuleName", "".join(c if c.isalnum() else "_" for c in f"{stack}_{logical_id}"))
        return Physical(name, {"Arn": f"arn:{PARTITION}:iot:{REGION}:{ACCOUNT_ID}:rule/{name}"})
    if kind == "AWS::IoT::ThingType":
        name = named("ThingTypeName", f"{stack}-{logical_id}")
        return Physical(name, {"Arn": f"arn:{PARTITION}:iot:{REGION}:{ACCOUNT_ID}:thingtype/{name}"})
    if kind == "AWS::IoT::Policy":
        name = named("PolicyName", f"{stack}-{logical_id}")
        return Physical(name, {"Arn": f"arn:{PARTITION}:iot:{REGION}:{ACCOUNT_ID}:policy/{name}"})
    if kind == "AWS::IAM::ManagedPolicy":
        return Physical(f"arn:{PARTITION}:iam::{ACCOUNT_ID}:policy/{stack}-{logical_id}")
    if kind == "AWS::CloudWatch::Alarm":
        name = named("AlarmName", f"{stack}-{logical_id}")
        return Physical(name, {"Arn": f"arn:{PARTITION}:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:{name}"})
    return Physical(f"{stack}-{logical_id}")


LOCAL_KEY_ID_TAG = "fitconnect:local-key-id"
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class _Resolver:
    """Evaluates intrinsic functions. `names_only` resolves while physical names are being computed."""

    def __init__(self, template: Template, *, names_only: bool = False) -> None:
        self.template = template
        self.names_only = names_only

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in (self.resolve(v) for v in value) if item is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = _INTRINSICS.get(key)
            if handler is not None:
                return handler(self, arg)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}

    def ref(self, name: str) -> Any:
        stack = self.template.stack_name
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": stack,
            "AWS::Partition": PARTITION,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{stack}/local",
            "AWS::NoValue": _NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.template.parameters:
            return self.template.parameters[name]
        if self.names_only:
            raise TemplateError(f"a resource name refers to {name}, which is not a parameter")
        if name not in self.template.physical:
            raise TemplateError(f"!Ref to unknown {name}")
        return self.template.physical[name].ref

    def get_att(self, logical_id: str, attribute: str) -> str:
        physical = self.template.physical.get(logical_id)
        kind = self.template.resources.get(logical_id, {}).get("Type")
        if physical is None and kind in NESTED_STACK_TYPES:
            raise _NotYetCreated(f"!GetAtt {logical_id}.{attribute}: that stack is not created yet")
        if physical is None or attribute not in physical.attrs:
            raise TemplateError(f"!GetAtt {logical_id}.{attribute} is not known locally")
        return physical.attrs[attribute]

    def condition(self, name: str) -> bool:
        conditions = self.template.body.get("Conditions") or {}
        if name not in conditions:
            raise TemplateError(f"unknown condition {name}")
        return bool(self.resolve(conditions[name]))

    def sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical_id, attribute = name.split(".", 1)
                return str(self.get_att(logical_id, attribute))
            return str(self.ref(name))

        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")


_NO_VALUE = object()


def _join(resolver: _Resolver, arg: list[Any]) -> str:
    separator, items = arg
    return separator.join(str(item) for item in resolver.resolve(items))


def _select(resolver: _Resolver, arg: list[Any]) -> Any:
    index, items = resolver.resolve(arg)
    return items[int(index)]


def _split(resolver: _Resolver, arg: list[Any]) -> list[str]:
    separator, text = resolver.resolve(arg)
    return str(text).split(separator)


def _if(resolver: _Resolver, arg: list[Any]) -> Any:
    condition, when_true, when_false = arg
    return resolver.resolve(when_true if resolver.condition(condition) else when_false)


def _get_att(resolver: _Resolver, arg: Any) -> str:
    logical_id, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
    return resolver.get_att(logical_id, attribute)


_INTRINSICS: dict[str, Any] = {
    "Ref": lambda r, arg: r.ref(arg),
    "Fn::GetAtt": _get_att,
    "Fn::Sub": lambda r, arg: r.sub(arg),
    "Fn::Join": _join,
    "Fn::Select": _select,
    "Fn::Split": _split,
    "Fn::If": _if,
    "Fn::Equals": lambda r, arg: r.resolve(arg[0]) == r.resolve(arg[1]),
    "Fn::Not": lambda r, arg: not r.resolve(arg[0]),
    "Fn::And": lambda r, arg: all(r.resolve(item) for item in arg),
    "Fn::Or": lambda r, arg: any(r.resolve(item) for item in arg),
    "Condition": lambda r, arg: r.condition(arg),
}
