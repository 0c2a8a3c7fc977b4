"""Pieces of the local runtime that are pure logic: template intrinsics, cron, IoT SQL, batch answers."""

import base64
import json
import threading
import time
from datetime import UTC, datetime

import pytest

from fitconnect_local.functions import function_specs
from fitconnect_local.iot_sql import MessageContext, SqlError, parse_rule_sql
from fitconnect_local.schedules import Expression, ScheduleJob, Scheduler
from fitconnect_local.sqs_sources import failed_message_ids, json_path
from fitconnect_local.template import TemplateError, load_template
from fitconnect_local.workers import Invocation
from tests.support.paths import TEMPLATE


def test_template_names_and_intrinsics(template):
    assert template.physical["IdentityTable"].ref == "fitconnect-test-identity"
    assert template.physical["EventBus"].attrs["Arn"].endswith(":event-bus/fitconnect-test")
    analytics = template.owner("ArchiveDomainEventsRule")
    assert analytics.stack_name == "fitconnect-test-AnalyticsStack"
    rule_arn = analytics.physical["ArchiveDomainEventsRule"].attrs["Arn"]
    assert rule_arn.endswith(":rule/fitconnect-test/fitconnect-test-AnalyticsStack-ArchiveDomainEventsRule")
    assert template.resolve({"Fn::Sub": "${AnalyticsBucket.Arn}/events/*"}).startswith("arn:aws:s3:::")
    assert template.resolve({"Fn::Join": ["-", ["a", {"Ref": "Stage"}]]}) == "a-test"
    assert template.resolve({"Fn::Sub": ["${X}-${AWS::Region}", {"X": "y"}]}) == "y-us-east-1"


def test_nested_stacks_get_the_parents_resources_and_hand_up_their_outputs(template):
    identity = template.children["IdentityStack"]
    notifications = template.children["NotificationsStack"]
    # Down: a root resource arrives as the parameter of the same name.
    assert identity.parameters["IdentityTable"] == "fitconnect-test-identity"
    assert identity.parameters["Stage"] == "test"
    # Up and across: the notifications stack's queue, through its output, into identity's parameter.
    queue = notifications.physical["NotificationsQueue"]
    assert identity.parameters["NotificationsQueueArn"] == queue.attrs["Arn"]
    handed_up = template.physical["NotificationsStack"].attrs["Outputs.NotificationsQueue"]
    assert handed_up.endswith(f"/{queue.attrs['QueueName']}")  # the URL (its host is the endpoint's)


def test_nested_stacks_that_wait_for_each_other_are_refused(tmp_path):
    child = "Parameters:\n  Other: {Type: String}\nResources: {}\nOutputs:\n  Out: {Value: x}\n"
    (tmp_path / "child.yaml").write_text(child)
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  A:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: child.yaml\n"
        "      Parameters: {Other: !GetAtt B.Outputs.Out}\n"
        "  B:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: child.yaml\n"
        "      Parameters: {Other: !GetAtt A.Outputs.Out}\n"
    )
    with pytest.raises(TemplateError, match="wait for each other"):
        load_template(tmp_path / "template.yaml")


def test_globals_merge_into_functions(functions):
    health = functions["HealthFunction"]
    assert health.environment["POWERTOOLS_METRICS_NAMESPACE"] == "FitConnect"  # from Globals
    assert health.environment["POWERTOOLS_SERVICE_NAME"] == "platform"  # its own
    assert health.environment["STAGE"] == "test"
    assert health.timeout_s == 10
    assert [d.name for d in health.layer_dirs] == ["shared"]


def test_unknown_event_property_is_rejected(tmp_path):
    (tmp_path / "fn").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: fn\n"
        "      Handler: app.handler\n      Events:\n        Q:\n          Type: SQS\n          Properties:\n"
        "            Queue: arn:aws:sqs:us-east-1:123456789012:q\n            BatchSzie: 5\n"
    )
    with pytest.raises(TemplateError, match="BatchSzie"):
        function_specs(load_template(tmp_path / "template.yaml"))


@pytest.mark.parametrize(
    ("expression", "timezone", "after", "expected"),
    [
        ("rate(5 minutes)", None, "2026-11-23T08:00:00", "2026-11-23T08:05:00"),
        ("cron(0 3 * * ? *)", None, "2026-11-23T08:00:00", "2026-11-24T03:00:00"),
        ("cron(*/15 9-17 ? * MON-FRI *)", None, "2026-11-27T17:50:00", "2026-11-30T09:00:00"),  # Fri → Mon
        ("cron(0 12 L * ? *)", None, "2026-02-01T00:00:00", "2026-02-28T12:00:00"),
        ("cron(0 7 * * ? *)", "Europe/Madrid", "2026-11-23T08:00:00", "2026-11-24T06:00:00"),  # CET = UTC+1
        ("at(2026-12-01T10:00:00)", None, "2026-11-23T08:00:00", "2026-12-01T10:00:00"),
    ],
)
def test_schedule_expressions(expression, timezone, after, expected):
    start = datetime.fromisoformat(after).replace(tzinfo=UTC)
    assert Expression(expression, timezone).next_after(start) == datetime.fromisoformat(expected).replace(
        tzinfo=UTC
    )


@pytest.mark.parametrize("bad", ["rate(5 fortnights)", "cron(0 3 * * *)", "cron(0 3 1 * MON *)", "every day"])
def test_bad_schedule_expressions_are_refused(bad):
    with pytest.raises(TemplateError):
        Expression(bad)


def test_scheduler_fires_due_jobs_once_per_period():
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    fired = []
    job = ScheduleJob("F", "Every5", "ScheduleV2", Expression("rate(5 minutes)"), None, True)
    idle = ScheduleJob("G", "Off", "ScheduleV2", Expression("rate(1 minute)"), None, False)
    scheduler = Scheduler(
        [job, idle], lambda j, at: fired.append((j.name, at)), threading.Event(), now=lambda: now
    )
    assert job.next_at == datetime(2026, 11, 23, 8, 5, tzinfo=UTC)
    scheduler.fire_due(datetime(2026, 11, 23, 8, 4, tzinfo=UTC))
    assert fired == []
    due = datetime(2026, 11, 23, 8, 5, tzinfo=UTC)
    scheduler.fire_due(due)
    scheduler.fire_due(due)  # a second look at the same moment fires nothing more
    assert fired == [("Every5", due)]
    assert job.next_at == datetime(2026, 11, 23, 8, 10, tzinfo=UTC)
    assert idle.next_at is None  # a disabled schedule never fires by itself
    scheduler.fire_due(datetime(2026, 11, 24, 8, 0, tzinfo=UTC))  # clock moved a day on
    scheduler.rebase(datetime(2026, 11, 23, 8, 11, tzinfo=UTC))  # and back
    assert job.next_at == datetime(2026, 11, 23, 8, 16, tzinfo=UTC)


def test_iot_sql_select_where_and_topic():
    query = parse_rule_sql(
        "SELECT *, topic(3) AS equipment_id, temperature_c * 2 AS doubled, meta.fw "
        "FROM 'fitconnect/equipment/+/telemetry' "
        "WHERE in_use = true AND (battery_pct < 20 OR NOT vibration_rms IS NULL)"
    )
    assert query.topic_filter == "fitconnect/equipment/+/telemetry"
    topic = "fitconnect/equipment/eq-1/telemetry"
    low_battery = {"in_use": True, "battery_pct": 10, "temperature_c": 30, "meta": {"fw": "1.2"}}
    result = query.apply(MessageContext(low_battery, topic))
    assert result == {**low_battery, "equipment_id": "eq-1", "doubled": 60, "fw": "1.2"}
    assert query.apply(MessageContext({"in_use": False, "battery_pct": 10}, topic)) is None
    assert (
        query.apply(MessageContext({"in_use": True, "battery_pct": 90}, topic)) is None
    )  # vibration undefined
    assert (
        query.apply(MessageContext({"in_use": True, "battery_pct": 90, "vibration_rms": 0.3}, topic))
        is not None
    )


def test_iot_sql_undefined_fields_are_left_out():
    query = parse_rule_sql("SELECT reps, 'x' AS kind, clientid() AS client FROM 'a/#'")
    assert query.apply(MessageContext({"other": 1}, "a/b", client_id="dev-1")) == {
        "kind": "x",
        "client": "dev-1",
    }


@pytest.mark.parametrize(
    "bad",
    [
        "SELECT FROM 'a'",
        "SELECT * FROM a",
        "SELECT nope() AS x FROM 'a'",
        "SELECT * FROM 'a' WHERE",
        "SELECT 1 + 2 FROM 'a'",
    ],
)
def test_iot_sql_errors_are_caught_at_start(bad):
    with pytest.raises(SqlError):
        parse_rule_sql(bad)


def test_batch_item_failures_follow_lambdas_rules():
    batch = ["m1", "m2", "m3"]
    ok = Invocation(ok=True, result={"batchItemFailures": [{"itemIdentifier": "m2"}]})
    assert failed_message_ids(ok, batch, report_failures=True) == {"m2"}
    assert failed_message_ids(ok, batch, report_failures=False) == set()
    assert failed_message_ids(Invocation(ok=False), batch, report_failures=True) == set(batch)
    unknown = Invocation(ok=True, result={"batchItemFailures": [{"itemIdentifier": "elsewhere"}]})
    assert failed_message_ids(unknown, batch, report_failures=True) == set(batch)
    assert failed_message_ids(Invocation(ok=True, result=None), batch, report_failures=True) == set()


def test_input_path():
    assert json_path({"detail": {"a": 1}}, "$.detail") == {"a": 1}
    assert json_path({"detail": {"a": 1}}, "$") == {"detail": {"a": 1}}


def test_parameters_outside_their_allowed_values_or_pattern_are_refused_as_cloudformation_does():
    with pytest.raises(TemplateError, match="Stage"):
        load_template(TEMPLATE, parameters={"Stage": "staging"})
    with pytest.raises(TemplateError, match="MailFrom"):
        load_template(TEMPLATE, parameters={"Stage": "test", "MailFrom": "not-an-address"})


def _pool_of(tmp_path, name, budget, handler_body="return {'pid': os.getpid()}"):
    import os
    import sys

    from fitconnect_local.functions import FunctionSpec
    from fitconnect_local.workers import FunctionPool

    folder = tmp_path / name
    folder.mkdir()
    (folder / "app.py").write_text(f"import os, time\n\n\ndef handler(event, context):\n    {handler_body}\n")
    spec = FunctionSpec(name, name, f"arn:aws:lambda:us-east-1:123456789012:function:{name}", folder,
                        "app.handler", "python3.13", 10, 128, {}, [])  # fmt: skip
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path)}
    return FunctionPool(spec, env, emit=lambda *_: None, clock_offset=lambda: 0.0, budget=budget)


def test_the_worker_budget_stops_the_longest_idle_worker_of_any_function_and_never_a_busy_one(tmp_path):
    """A newcomer's laptop holds a bounded number of workers however many functions a journey
    touches; the function whose worker was stopped starts cold again, the others stay warm."""
    from fitconnect_local.workers import WorkerBudget

    budget = WorkerBudget(limit=2)
    first, second, third = (_pool_of(tmp_path, name, budget) for name in ("first", "second", "third"))
    slow = _pool_of(tmp_path, "slow", budget, "time.sleep(1.0); return {'pid': os.getpid()}")
    try:
        assert [first.invoke({}).cold, second.invoke({}).cold] == [True, True]
        assert not first.invoke({}).cold  # warm; now `second` is the longest idle
        assert third.invoke({}).cold
        assert (budget.live(), budget.evicted) == (2, 1)
        assert [first.invoke({}).cold, second.invoke({}).cold] == [False, True]  # `second` was stopped
        outcomes = []
        busy = threading.Thread(target=lambda: outcomes.append(slow.invoke({})))
        busy.start()
        time.sleep(0.6)  # `slow` is running: starting another may not stop it
        assert third.invoke({}).ok
        busy.join()
        assert outcomes[0].ok
        assert budget.live() <= 2
    finally:
        for pool in (first, second, third, slow):
            pool.close()


def _stream_source(aws_clients, invoke, **properties):
    from fitconnect_local.kinesis_sources import KinesisShardSource

    kinesis, sqs = aws_clients
    kinesis.create_stream(StreamName="telemetry", ShardCount=1)
    queue_url = sqs.create_queue(QueueName="failed-batches")["QueueUrl"]
    for n in range(10):
        kinesis.put_record(StreamName="telemetry", Data=json.dumps({"n": n}).encode(), PartitionKey="m")
    [shard] = kinesis.list_shards(StreamName="telemetry")["Shards"]
    properties = {"StartingPosition": "TRIM_HORIZON", "BatchSize": 10, **properties}
    source = KinesisShardSource(
        function_id="F", stream_name="telemetry", stream_arn="arn:stream", shard_id=shard["ShardId"],
        properties=properties, role_arn="arn:role", kinesis=kinesis, sqs=sqs,
        queue_url_of=lambda _arn: queue_url, invoke=invoke, log=lambda _line: None, stop=threading.Event(),
    )  # fmt: skip
    return source, queue_url


@pytest.fixture
def aws_clients(aws):
    import boto3

    return boto3.client("kinesis"), boto3.client("sqs")


def _numbers(event):
    return [json.loads(base64.b64decode(r["kinesis"]["data"]))["n"] for r in event["Records"]]


def test_a_stream_batch_with_a_reported_failure_is_retried_from_that_record_in_order(aws_clients):
    seen = []

    def invoke(_function_id, event):
        numbers = _numbers(event)
        seen.append(numbers)
        if len(seen) == 1:  # the first delivery: record 4 failed (and so everything after it)
            failed = event["Records"][4]["kinesis"]["sequenceNumber"]
            return Invocation(ok=True, result={"batchItemFailures": [{"itemIdentifier": failed}]})
        return Invocation(ok=True, result={"batchItemFailures": []})

    source, _ = _stream_source(aws_clients, invoke, FunctionResponseTypes=["ReportBatchItemFailures"])
    iterator = source.kinesis.get_shard_iterator(
        StreamName="telemetry", ShardId=source.shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    source._read(iterator)
    source._process(source.pending[:10])
    assert seen == [list(range(10)), list(range(4, 10))]
    assert source.pending == []


def test_a_stream_batch_that_keeps_failing_is_bisected_then_described_to_the_on_failure_queue(aws_clients):
    calls = []

    def invoke(_function_id, event):
        numbers = _numbers(event)
        calls.append(numbers)
        return Invocation(ok=3 not in numbers, error=None if 3 not in numbers else {"errorType": "Boom"})

    source, queue_url = _stream_source(
        aws_clients,
        invoke,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": "arn:queue"}},
    )
    iterator = source.kinesis.get_shard_iterator(
        StreamName="telemetry", ShardId=source.shard_id, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    source._read(iterator)
    source._process(source.pending[:10])
    processed = sorted({n for numbers in calls for n in numbers if 3 not in numbers})
    assert processed == [0, 1, 2, 4, 5, 6, 7, 8, 9]  # every record but the poison went through
    assert calls[1] == [0, 1, 2, 3, 4]  # after the first error, half the batch
    messages = source.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    [described] = [json.loads(m["Body"]) for m in messages]
    assert described["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert described["KinesisBatchInfo"]["batchSize"] >= 1
    assert source.pending == []


def test_an_iot_action_substitution_template_reads_the_topic_and_the_message():
    from fitconnect_local.iot import substitute

    topic = "fitconnect/equipment/01ABC/telemetry"
    assert substitute("${topic(3)}", {}, topic) == "01ABC"
    assert substitute("m-${equipment_id}-${topic(9)}", {"equipment_id": "x"}, topic) == "m-x-"
    assert len(substitute("${newuuid()}", {}, topic)) == 36
