"""IoT Core topic rules, locally: subscribe to each rule's topic filter on the MQTT broker and hand
each message, with the rule's SQL applied, to the rule's action: a function (invoked
asynchronously) or a Kinesis stream (put with the rule's role, its partition key a substitution
template such as `${topic(3)}`).

Basic Ingest as IoT Core has it: a message published to `$aws/rules/<rule name>/<topic>` goes to that
rule only, which sees `<topic>` (its SQL's FROM filter and `topic()` apply to it); nobody else
receives it. Devices use it because IoT Core does not bill such a message as messaging. (The local
broker carries these under an alias: see fitconnect_local.mqtt_broker.)
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt

from fitconnect_local.functions import FunctionSpec
from fitconnect_local.iam import topic_rule
from fitconnect_local.iot_sql import MessageContext, RuleQuery, SqlError, parse_rule_sql
from fitconnect_local.mqtt_broker import BASIC_INGEST_ALIAS
from fitconnect_local.template import Template, TemplateError


@dataclass
class IotRoute:
    function_id: str | None  # the Lambda action's function; None for a Kinesis action
    source: str  # the function's IoTRule event, or the logical id of an explicit topic rule
    query: RuleQuery
    rule_name: str = ""
    error_queue_url: str | None = None  # an explicit rule's SQS error action
    error_role_arn: str | None = None
    stream_name: str | None = None  # a Kinesis action: the stream, its partition key and role
    partition_key: str = ""
    role_arn: str = ""


def basic_ingest(topic: str) -> tuple[str | None, str]:
    """(the rule a Basic Ingest topic names, the topic the rule sees), or (None, topic)."""
    if not topic.startswith(BASIC_INGEST_ALIAS):
        return None, topic
    rule_name, _, rest = topic[len(BASIC_INGEST_ALIAS) :].partition("/")
    return rule_name, rest


_SUBSTITUTION = re.compile(r"\$\{([^}]*)\}")


def substitute(template: str, payload: dict[str, Any], topic: str) -> str:
    """An action's substitution template, e.g. `${topic(3)}`: `topic(n)` (1-based), `newuuid()`,
    `timestamp()` or a top-level field of the message."""

    def value(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        if topic_part := re.fullmatch(r"topic\((\d+)\)", expression):
            parts = topic.split("/")
            index = int(topic_part.group(1)) - 1
            return parts[index] if 0 <= index < len(parts) else ""
        if expression == "newuuid()":
            return str(uuid.uuid4())
        if expression == "timestamp()":
            return str(int(time.time() * 1000))
        found = payload.get(expression)
        return "" if found is None else str(found)

    return _SUBSTITUTION.sub(value, template)


@dataclass
class IotStats:
    received: int = 0
    not_json: int = 0
    filtered_out: int = 0
    delivered: int = 0


def iot_routes(template: Template, functions: dict[str, FunctionSpec]) -> list[IotRoute]:
    """The functions' `IoTRule` events and the templates' explicit `AWS::IoT::TopicRule`s."""
    routes = [
        IotRoute(function_id, source.name, _query(function_id, source.name, source.properties))
        for function_id, spec in functions.items()
        for source in spec.events_of("IoTRule")
    ]
    arn_to_function = {spec.arn: function_id for function_id, spec in functions.items()}
    for stack, logical_id in template.each("AWS::IoT::TopicRule"):
        rule = topic_rule(stack, logical_id)
        function_id = arn_to_function.get(rule.function_arn or "")
        if rule.stream_name is None and function_id is None:
            raise TemplateError(f"{logical_id}: its Lambda action names no function of the templates")
        properties = {"Sql": rule.sql, "AwsIotSqlVersion": rule.sql_version}
        routes.append(
            IotRoute(
                function_id,
                logical_id,
                _query(function_id or logical_id, logical_id, properties),
                rule_name=stack.physical[logical_id].ref,
                error_queue_url=rule.error_queue_url,
                error_role_arn=rule.error_role_arn,
                stream_name=rule.stream_name,
                partition_key=rule.partition_key or "",
                role_arn=rule.role_arn or "",
            )
        )
    return routes


def _query(function_id: str, source: str, properties: dict[str, Any]) -> RuleQuery:
    version = properties.get("AwsIotSqlVersion", "2016-03-23")
    if version != "2016-03-23":
        raise TemplateError(f"{function_id}.{source}: SQL version {version} is not supported")
    try:
        return parse_rule_sql(str(properties["Sql"]))
    except SqlError as error:
        raise TemplateError(f"{function_id}.{source}: {error}") from error


class IotBridge:
    def __init__(
        self,
        routes: list[IotRoute],
        port: int,
        invoke_async: Callable[[IotRoute, Any, str], None],
        log: Callable[[str], None],
    ) -> None:
        self.routes = routes
        self.port = port
        self.invoke_async = invoke_async
        self.log = log
        self.stats = IotStats()
        self._lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="fitconnect-local-iot-rules")
        self.client.on_connect = self._subscribe
        self.client.on_message = self._on_message
        self._connected = threading.Event()

    def start(self) -> None:
        if not self.routes:
            return
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        if not self._connected.wait(10):
            raise RuntimeError("could not subscribe to the MQTT broker")

    def stop(self) -> None:
        if self.routes:
            self.client.disconnect()
            self.client.loop_stop()

    def _subscribe(self, client: mqtt.Client, _userdata: Any, _flags: Any, _reason: Any, _props: Any) -> None:
        filters = {route.query.topic_filter for route in self.routes}
        filters |= {
            f"{BASIC_INGEST_ALIAS}{r.rule_name}/{r.query.topic_filter}" for r in self.routes if r.rule_name
        }
        client.subscribe([(topic_filter, 1) for topic_filter in sorted(filters)])
        self._connected.set()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.stats.received += 1
        try:
            payload = json.loads(message.payload)
        except (ValueError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            with self._lock:
                self.stats.not_json += 1
            self.log(f"[iot] {message.topic}: payload is not a JSON object; no rule can select from it")
            return
        rule_name, topic = basic_ingest(message.topic)
        context = MessageContext(payload=payload, topic=topic)
        for route in self.routes:
            if rule_name is not None and route.rule_name != rule_name:
                continue
            if not mqtt.topic_matches_sub(route.query.topic_filter, topic):
                continue
            output = route.query.apply(context)
            with self._lock:
                if output is None:
                    self.stats.filtered_out += 1
                else:
                    self.stats.delivered += 1
            if output is not None:
                self.invoke_async(route, output, topic)
