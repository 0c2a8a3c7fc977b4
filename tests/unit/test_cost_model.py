"""`make cost` follows its workload: telemetry costs nothing without machines, and the member side
scales with the members (the figures come from the templates and bench/measured.json)."""

import pytest

from bench.cost import Workload, cost_lines


def test_without_machines_there_is_no_telemetry_cost_and_members_scale_linearly():
    lines, per_function = cost_lines(Workload(members=10_000, machines=0))
    assert lines.get("IoT Core", 0) == lines.get("Kinesis", 0) == 0
    assert per_function.get("IngestTelemetryFunction", 0) == 0
    doubled, _ = cost_lines(Workload(members=20_000, machines=0))
    variable = sum(lines.values()) - lines["Secrets Manager"]  # the secrets are a flat monthly fee
    assert sum(doubled.values()) - doubled["Secrets Manager"] == pytest.approx(2 * variable, rel=0.02)


def test_reporting_twice_as_often_doubles_what_is_paid_per_message_but_not_the_writes():
    """Telemetry is written once per machine per batch window: a machine reporting every 5 s costs
    twice the rule and stream charges of one reporting every 10 s, and the same DynamoDB writes."""
    lines_5, per_5 = cost_lines(Workload(members=0, machines=500, report_interval_s=5))
    lines_10, _ = cost_lines(Workload(members=0, machines=500, report_interval_s=10))
    connectivity = 500 * 30 * 24 * 60 * 0.00000008  # per connected minute, however often it reports
    assert lines_5["IoT Core"] - connectivity == pytest.approx(2 * (lines_10["IoT Core"] - connectivity))
    assert lines_5["DynamoDB"] == pytest.approx(lines_10["DynamoDB"])
    assert per_5["IngestTelemetryFunction"] / 500 <= 0.40  # issue 20's target per machine-month
