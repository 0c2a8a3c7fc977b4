"""Telemetry arrives concurrently, out of order and sometimes twice (IoT Core → Lambda): usage counts
each message exactly once, while status and readings follow the newest message."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from fitconnect.platform.storage import plain_map

BASE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def inventory(function_env):
    with function_env("IngestTelemetryFunction"):
        from fitconnect.inventory import equipment

        yield equipment


def machine(inventory):
    request = inventory.NewEquipment(
        name="Rower 1", kind="rower", location="Cardio", service_interval_hours=500
    )
    return inventory.register(request).equipment_id


def message(equipment_id, second, **changes):
    ts = (BASE + timedelta(seconds=second)).isoformat()
    return {"equipment_id": equipment_id, "ts": ts, "in_use": True, "usage_seconds": 5, "reps": 2, **changes}


def test_shuffled_and_repeated_messages_count_once_and_the_newest_sets_the_status(inventory):
    equipment_id = machine(inventory)
    messages = [message(equipment_id, 5 * i, temperature_c=40 + i * 0.01) for i in range(60)]
    messages[-1] |= {"in_use": False, "battery_pct": 61}  # the newest says: idle, battery 61%
    delivered = messages + random.Random(7).sample(messages, 15)  # 15 redeliveries
    random.Random(11).shuffle(delivered)

    outcomes = [inventory.ingest(m) for m in delivered]

    assert outcomes.count("duplicate") == 15
    assert outcomes.count("counted") > 0  # the shuffle did deliver older messages after newer ones
    assert outcomes.count("applied") + outcomes.count("counted") == 60
    seen = inventory.view(inventory.equipment_of(equipment_id))
    assert seen["readings"] == 60
    assert seen["usage_hours"] == round(60 * 5 / 3600, 2)
    assert (seen["status"], seen["battery_pct"]) == ("available", 61)
    assert seen["temperature_c"] == pytest.approx(40.59)
    stored = inventory.equipment_of(equipment_id)
    assert float(stored.reps_total) == 120
    assert sum(float(v) for v in plain_map(stored.usage_daily).values()) == 300


def test_a_message_behind_the_trimmed_window_is_late_and_not_counted(inventory):
    equipment_id = machine(inventory)
    for second in (0, 600, 1200):  # 20 minutes of device time
        assert inventory.ingest(message(equipment_id, second)) == "applied"
    assert inventory.ingest(message(equipment_id, 300)) == "counted"  # 15 minutes behind: still counts

    inventory.sweep(now=BASE + timedelta(minutes=21))  # keeps the last 15 minutes of device time

    stored = inventory.equipment_of(equipment_id)
    assert sorted(stored.seen_ts) == [
        int((BASE + timedelta(seconds=s)).timestamp() * 1000) for s in (600, 1200)
    ]
    assert inventory.ingest(message(equipment_id, 0)) == "late"  # would be a double count otherwise
    assert inventory.ingest(message(equipment_id, 240)) == "late"
    assert inventory.ingest(message(equipment_id, 900)) == "counted"
    assert inventory.ingest(message(equipment_id, 900)) == "duplicate"
    assert inventory.view(inventory.equipment_of(equipment_id))["readings"] == 5


def test_telemetry_writes_touch_no_index_and_the_list_still_shows_live_figures(inventory, aws):
    """Every machine under one index key would take every telemetry write into one hot index
    partition: the machine's item is on no index, its listing entry is, and telemetry never
    writes the listing."""
    import boto3

    equipment_ids = [machine(inventory) for _ in range(3)]
    for equipment_id in equipment_ids:
        inventory.ingest(message(equipment_id, 5, battery_pct=77))
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
    listed, _ = inventory.listing(2, None)
    assert len(listed) == 2
    assert {inventory.view(item)["battery_pct"] for item in listed} == {77}
    assert len(inventory.fleet()) == 3
