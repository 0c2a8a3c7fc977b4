"""Dashboards and alarms that someone watches: the CloudWatch dashboard names what exists, every
function's errors and throttles alarm the topic CloudWatch can publish to, the Grafana dashboard is
the same definition, and the local runtime's EMF → Prometheus exposition parses."""

import io
import json
import re
from contextlib import redirect_stdout

from aws_lambda_powertools import Metrics
from prometheus_client.parser import text_string_to_metric_families

from fitconnect_local.metrics import EmfMetrics
from fitconnect_local.template import load_template
from infra.deploy import dashboards, function_alarms
from tests.support.paths import REPO_ROOT, TEMPLATE

LAYER_CODE = "\n".join(path.read_text() for path in (REPO_ROOT / "layers" / "shared").rglob("*.py"))


def _dashboard_body(template):
    props = template.body["Resources"]["OperationsDashboard"]["Properties"]
    body = props["DashboardBody"]
    return body.get("Fn::Sub", body) if isinstance(body, dict) else body


def test_the_dashboard_is_json_that_names_what_the_stack_and_the_code_have(template):
    raw = _dashboard_body(template)
    placeholders = set(re.findall(r"\$\{([^}]+)\}", raw))
    assert placeholders == {"Stage", "HttpApi", "AWS::Region"}
    assert "HttpApi" in template.body["Resources"]
    assert "Stage" in template.body["Parameters"]
    body = json.loads(
        raw.replace("${Stage}", "test").replace("${HttpApi}", "abc123").replace("${AWS::Region}", "x")
    )
    titles = [widget["properties"]["title"] for widget in body["widgets"]]
    assert {"API requests and errors", "API latency p99", "Function errors", "Function throttles"} <= set(
        titles
    )
    assert "Dead-letter queues (messages waiting)" in titles
    business = set(re.findall(r'MetricName=\\"(\w+)\\"\', \'Sum\'', json.dumps(body)))
    business |= {m[1] for w in body["widgets"] for m in w["properties"]["metrics"] if m[0] == "FitConnect"}
    assert {"BookingsConfirmed", "RevenueCents", "TelemetryMessages", "TelemetryRejected"} <= business
    emitted = set(re.findall(r'add_metric\(name="(\w+)"', LAYER_CODE)) | {"FailingHealthChecks"}
    assert business - emitted == set()  # every business figure on the dashboard is one the code emits


def test_the_generated_dashboards_and_alarms_are_up_to_date():
    assert dashboards.rewritten_template(dashboards.TEMPLATE.read_text()) == dashboards.TEMPLATE.read_text()
    assert json.loads(dashboards.GRAFANA.read_text()) == dashboards.grafana_dashboard()
    for path in function_alarms.templates():
        assert function_alarms.rewritten(path.read_text()) == path.read_text(), path


def test_grafana_shows_the_same_panels_from_the_cloudwatch_data_source():
    grafana = json.loads(dashboards.GRAFANA.read_text())
    assert [panel["title"] for panel in grafana["panels"]] == [panel.title for panel in dashboards.PANELS]
    for panel in grafana["panels"]:
        assert panel["datasource"]["type"] == "cloudwatch"
        assert panel["targets"]
        assert all("${" not in json.dumps(target) for target in panel["targets"])


def test_every_function_alarms_on_errors_and_throttles_to_the_alarm_topic(template):
    missing = []
    for stack in template.stacks():
        alarms = {
            (spec["Properties"].get("MetricName"), json.dumps(spec["Properties"].get("Dimensions")))
            for spec in stack.resources.values()
            if spec.get("Type") == "AWS::CloudWatch::Alarm"
            and spec["Properties"].get("AlarmActions") == [{"Ref": "AlarmTopic"}]
        }
        for logical_id, spec in stack.resources.items():
            if spec.get("Type") != "AWS::Serverless::Function":
                continue
            dimensions = json.dumps([{"Name": "FunctionName", "Value": {"Ref": logical_id}}])
            missing += [
                f"{logical_id} {metric}"
                for metric in ("Errors", "Throttles")
                if (metric, dimensions) not in alarms
            ]
    assert missing == []


def test_the_alarm_topic_uses_a_key_cloudwatch_may_use_and_mails_a_person():
    with_email = load_template(TEMPLATE, parameters={"Stage": "test", "AlarmEmail": "ops@example.com"})
    resources = with_email.body["Resources"]
    assert resources["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "AlarmKey"}
    statements = resources["AlarmKey"]["Properties"]["KeyPolicy"]["Statement"]
    cloudwatch = [s for s in statements if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert cloudwatch
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cloudwatch[0]["Action"])
    subscription = resources["AlarmEmailSubscription"]
    assert (subscription["Properties"]["Protocol"], subscription["Condition"]) == ("email", "HasAlarmEmail")
    for name in ("ApiServerErrorsAlarm", "ApiLatencyAlarm"):
        assert resources[name]["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def _emf_line(service: str, **values: float) -> str:
    """What a function prints when Powertools flushes these metrics."""
    metrics = Metrics(namespace="FitConnect", service=service)
    metrics.clear_metrics()  # Powertools shares one set of metrics per process: only these
    for name, value in values.items():
        metrics.add_metric(name=name, unit="Count", value=value)
    out = io.StringIO()
    with redirect_stdout(out):
        metrics.flush_metrics()
    return out.getvalue().strip()


def test_local_metrics_turn_emf_lines_into_prometheus_text():
    collected = EmfMetrics()
    collected.observe(
        "CreateBookingFunction", _emf_line("scheduling", BookingsCreated=1, BookingsConfirmed=1)
    )
    collected.observe("CreateBookingFunction", _emf_line("scheduling", BookingsCreated=1))
    collected.observe("ApplyStripeEventsFunction", _emf_line("payments", RevenueCents=2500))
    collected.observe("CreateBookingFunction", "START RequestId: not a metric")
    stats = {
        "CreateBookingFunction": {"invocations": 3, "errors": 1, "cold_starts": 1, "duration_ms": [5.0, 9.0]}
    }

    families = {family.name: family for family in text_string_to_metric_families(collected.exposition(stats))}

    def value(family, **labels):
        [sample] = [s for s in families[family].samples if labels.items() <= s.labels.items()]
        return sample.value

    assert value("fitconnect_bookings_created", function="CreateBookingFunction", service="scheduling") == 2
    assert value("fitconnect_bookings_confirmed", function="CreateBookingFunction") == 1
    assert value("fitconnect_revenue_cents", function="ApplyStripeEventsFunction") == 2500
    assert value("fitconnect_lambda_invocations", function="CreateBookingFunction") == 3
    assert value("fitconnect_lambda_errors", function="CreateBookingFunction") == 1
    assert value("fitconnect_lambda_duration_p99_milliseconds", function="CreateBookingFunction") == 9.0
