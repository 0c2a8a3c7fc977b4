"""`make cost` follows its workload: telemetry costs nothing without machines, and the member side
scales with the members (the figures come from the templates and bench/measured.json)."""

import pytest

from bench.cost import Workload, cost_lines


def test_without_machines_there_is_no_telemetry_cost_and_members_scale_linearly():
    lines, per_function = cost_lines(Workload(members=10_000, machines=0))
    assert lines["IoT Core"] == 0
    assert per_function["IngestTelemetryFunction"] == 0
    doubled, _ = cost_lines(Workload(members=20_000, machines=0))
    variable = sum(lines.values()) - lines["Secrets Manager"]  # the secrets are a flat monthly fee
    assert sum(doubled.values()) - doubled["Secrets Manager"] == pytest.approx(2 * variable, rel=0.02)


def test_machines_reporting_twice_as_often_double_the_telemetry_path():
    _, per_5 = cost_lines(Workload(members=0, machines=100, report_interval_s=5))
    _, per_10 = cost_lines(Workload(members=0, machines=100, report_interval_s=10))
    ingest_5, ingest_10 = per_5["IngestTelemetryFunction"], per_10["IngestTelemetryFunction"]
    connectivity = (
        100 * 30 * 24 * 60 * 0.00000008
    )  # a connected machine pays per minute, however often it reports
    assert ingest_5 - connectivity == pytest.approx(2 * (ingest_10 - connectivity), rel=0.01)
