"""Telemetry arrives in stream batches, out of order and sometimes twice (duplicate publishes, a
batch retried): usage counts each message exactly once, while status and readings follow the
newest message; each machine is written once per batch, and its item stays small."""

import base64
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bench.harness import dynamodb_item_size

BASE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def inventory(function_env):
    with function_env("IngestTelemetryFunction"):
        from fitconnect.inventory import equipment, telemetry

        yield equipment, telemetry


def machine(inventory):
    equipment, _ = inventory
    request = equipment.NewEquipment(
        name="Rower 1", kind="rower", location="Cardio", service_interval_hours=500
    )
    return equipment.register(request).equipment_id


def message(equipment_id, second, **changes):
    ts = (BASE + timedelta(seconds=second)).isoformat()
    return {"equipment_id": equipment_id, "ts": ts, "in_use": True, "usage_seconds": 5, "reps": 2, **changes}


def ingest(inventory, *messages):
    _, telemetry = inventory
    outcomes, retry = telemetry.ingest_batch([(str(n), m) for n, m in enumerate(messages)])
    assert retry == []
    return outcomes


def test_shuffled_and_repeated_messages_in_random_batches_count_once_and_the_newest_sets_the_status(
    inventory,
):
    equipment, _ = inventory
    equipment_id = machine(inventory)
    messages = [message(equipment_id, 5 * i, temperature_c=40 + i * 0.01) for i in range(60)]
    messages[-1] |= {"in_use": False, "battery_pct": 61}  # the newest says: idle, battery 61%
    rest = messages + random.Random(7).sample(messages, 15)  # 15 redeliveries
    random.Random(11).shuffle(rest)
    sizes, outcomes = random.Random(3), Counter()
    while rest:
        size = sizes.randint(1, 12)
        outcomes += ingest(inventory, *rest[:size])
        rest = rest[size:]

    assert outcomes["duplicate"] == 15
    assert outcomes["counted"] > 0  # the shuffle did deliver older messages after newer ones
    assert outcomes["applied"] + outcomes["counted"] == 60
    seen = equipment.view(equipment.equipment_of(equipment_id))
    assert seen["readings"] == 60
    assert seen["usage_hours"] == round(60 * 5 / 3600, 2)
    assert (seen["status"], seen["battery_pct"]) == ("available", 61)
    assert seen["temperature_c"] == pytest.approx(40.59)
    stored = equipment.equipment_of(equipment_id)
    assert float(stored.reps_total) == 120
    assert equipment.daily_usage(stored) == {"2026-11-23": 300}


def test_a_message_at_or_behind_the_window_edge_is_late_and_not_counted(inventory):
    equipment, _ = inventory
    equipment_id = machine(inventory)
    for second in (0, 600, 1200):  # 20 minutes of device time: the edge is now at 300 s
        assert ingest(inventory, message(equipment_id, second)) == {"applied": 1}
    assert ingest(inventory, message(equipment_id, 301)) == {"counted": 1}  # inside the window
    assert ingest(inventory, message(equipment_id, 300), message(equipment_id, 0)) == {"late": 2}
    assert ingest(inventory, message(equipment_id, 900), message(equipment_id, 900)) == {
        "counted": 1,
        "duplicate": 1,
    }
    assert equipment.view(equipment.equipment_of(equipment_id))["readings"] == 5


def test_a_service_recorded_between_a_batch_read_and_its_write_is_not_undone(inventory):
    """The batch's write is conditioned on the machine's version: the service record bumped it, so
    the batch reads again and adds its usage to the reset count rather than writing the old one."""
    equipment, telemetry = inventory
    equipment_id = machine(inventory)
    ingest(inventory, *(message(equipment_id, 5 * i, usage_seconds=600) for i in range(6)))
    stale = telemetry._machines([equipment_id])[equipment_id]
    equipment.record_service(equipment_id)
    outcomes = telemetry._apply(stale, [telemetry.Telemetry.model_validate(message(equipment_id, 60))])
    assert outcomes == {"applied": 1}
    seen = equipment.view(equipment.equipment_of(equipment_id))
    assert seen["usage_hours_since_service"] == round(5 / 3600, 2)
    assert seen["usage_hours"] == round((6 * 600 + 5) / 3600, 2)


def test_a_batch_whose_writes_all_fail_is_retried_whole_and_counts_once(
    inventory, contention, functions, lambda_context
):
    from tests.support.lambdas import load_handler

    equipment, _ = inventory
    equipment_id = machine(inventory)
    records = [
        {"kinesis": {"sequenceNumber": str(n), "data": base64.b64encode(json.dumps(m).encode()).decode()}}
        for n, m in enumerate(message(equipment_id, 5 * i) for i in range(10))
    ]
    handler = load_handler(functions["IngestTelemetryFunction"])
    contention.set(1.0)  # every write meets a conflict, past the retries
    answer = handler({"Records": records}, lambda_context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": str(n)} for n in range(10)]}
    contention.set(0.0)
    assert handler({"Records": records}, lambda_context) == {"batchItemFailures": []}
    assert handler({"Records": records}, lambda_context) == {"batchItemFailures": []}  # and once more
    assert equipment.view(equipment.equipment_of(equipment_id))["readings"] == 10


def test_a_machine_reporting_every_5_s_keeps_an_item_of_at_most_1_kb(inventory, aws):
    """Each batch rewrites the machine's item and DynamoDB bills a write per started KB: a day of
    reports (17,280 messages, 90 days of usage kept) must not grow it past one write unit."""
    import boto3

    equipment_id = machine(inventory)
    readings = {"temperature_c": 41.25, "vibration_rms": 0.82, "battery_pct": 88}
    for start in range(0, 17_280, 360):  # 30-minute batches of a day at one report per 5 s
        ingest(inventory, *(message(equipment_id, 5 * i, **readings) for i in range(start, start + 360)))
    item = boto3.client("dynamodb").get_item(
        TableName=aws.physical["InventoryTable"].ref,
        Key={"pk": {"S": f"EQUIP#{equipment_id}"}, "sk": {"S": "EQUIP"}},
    )["Item"]
    assert dynamodb_item_size(item) <= 1024  # bench/harness.py: DynamoDB's sizing rules


def test_telemetry_writes_touch_no_index_and_the_list_still_shows_live_figures(inventory, aws):
    """Every machine under one index key would take every telemetry write into one hot index
    partition: the machine's item is on no index, its listing entry is, and telemetry never
    writes the listing."""
    import boto3

    equipment, _ = inventory
    equipment_ids = [machine(inventory) for _ in range(3)]
    ingest(inventory, *(message(equipment_id, 5, battery_pct=77) for equipment_id in equipment_ids))
    table = aws.physical["InventoryTable"].ref
    dynamodb = boto3.client("dynamodb")
    for equipment_id in equipment_ids:
        hot = dynamodb.get_item(
            TableName=table, Key={"pk": {"S": f"EQUIP#{equipment_id}"}, "sk": {"S": "EQUIP"}}
        )
        assert not {"gsi1pk", "gsi1sk"} & set(hot["Item"]), "the machine written by telemetry is on an index"
        assert int(hot["Item"]["messages_total"]["N"]) == 1
    indexed = dynamodb.query(
        TableName=table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "EQUIPMENT"}},
    )["Items"]
    assert {item["sk"]["S"] for item in indexed} == {"LISTING"}
    assert all(set(item) == {"pk", "sk", "gsi1pk", "gsi1sk", "equipment_id"} for item in indexed)
    listed, _ = equipment.listing(2, None)
    assert len(listed) == 2
    assert {equipment.view(item)["battery_pct"] for item in listed} == {77}
    assert len(equipment.fleet()) == 3
