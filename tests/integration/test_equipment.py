"""Equipment over the real MQTT broker: telemetry → IoT rule → function → status and usage."""

import json
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest

from tests.support.local import aws, eventually


@pytest.fixture(scope="module")
def device(platform):
    """Publishes telemetry to the local broker as a machine would."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", platform.ports.mqtt)
    client.loop_start()

    def publish(equipment_id, payload):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        client.publish(f"fitconnect/equipment/{equipment_id}/telemetry", body, qos=1).wait_for_publish(5)

    yield publish
    client.loop_stop()
    client.disconnect()


def reading(minutes_ago=0, **changes):
    moment = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {"ts": moment.isoformat(), "in_use": True, "usage_seconds": 600, "temperature_c": 40, **changes}


def new_machine(api, admin, name="Rower 7"):
    body = {"name": name, "kind": "rower", "location": "Cardio", "service_interval_hours": 1}
    reply = api.post("/equipment", body, token=admin)
    assert reply.status == 201
    assert reply.body["status"] == "offline"  # until it first reports
    return reply.body["equipment_id"]


def current(api, admin, equipment_id):
    return api.get(f"/equipment/{equipment_id}", token=admin).body


def test_telemetry_moves_status_and_usage_and_service_resets_it(api, admin, device):
    equipment_id = new_machine(api, admin)
    device(equipment_id, reading(minutes_ago=2, battery_pct=80))
    assert eventually(lambda: current(api, admin, equipment_id)["status"] == "in_use")
    device(equipment_id, reading(minutes_ago=1, in_use=False, usage_seconds=0))
    assert eventually(lambda: current(api, admin, equipment_id)["status"] == "available")
    seen = current(api, admin, equipment_id)
    assert (seen["usage_hours"], seen["battery_pct"]) == (0.17, 80)
    device(equipment_id, reading(minutes_ago=3, usage_seconds=3000))  # older than the last: ignored
    device(equipment_id, reading(usage_seconds=3000))  # crosses the 1-hour service interval
    assert eventually(lambda: current(api, admin, equipment_id)["status"] == "needs_service")
    assert current(api, admin, equipment_id)["usage_hours"] == 1.0
    serviced = api.post(f"/equipment/{equipment_id}/service", token=admin).body
    assert (serviced["usage_hours_since_service"], serviced["status"]) == (0, "in_use")
    assert serviced["usage_hours"] == 1.0


def test_malformed_and_unknown_messages_are_rejected_and_counted(api, admin, device, platform):
    table = aws(platform, "dynamodb")
    name = platform.template.physical["InventoryTable"].ref
    day = datetime.now(UTC).date().isoformat()

    def rejected():
        item = table.get_item(TableName=name, Key={"pk": {"S": f"REJECTED#{day}"}, "sk": {"S": "COUNT"}})
        return int(item.get("Item", {}).get("count", {}).get("N", 0))

    before = rejected()
    equipment_id = new_machine(api, admin, name="Bike 3")
    device(equipment_id, {"ts": "not a time", "in_use": "maybe"})
    device("no-such-machine", reading())
    assert eventually(lambda: rejected() == before + 2)
    assert current(api, admin, equipment_id)["status"] == "offline"  # nothing applied


def test_silent_equipment_goes_offline_and_comes_back(api, admin, device, clock):
    equipment_id = new_machine(api, admin, name="Treadmill 9")
    device(equipment_id, reading(in_use=False, usage_seconds=0))
    assert eventually(lambda: current(api, admin, equipment_id)["status"] == "available")
    clock(11 * 60)
    token = api.login("admin@fitconnect.local", "fitconnect-demo").body["access_token"]
    assert api.post("/_local/schedules/SweepEquipmentFunction").status in (200, 202)
    assert eventually(lambda: current(api, token, equipment_id)["status"] == "offline")
    device(equipment_id, reading(minutes_ago=-11, in_use=False, usage_seconds=0))
    assert eventually(lambda: current(api, token, equipment_id)["status"] == "available")


def test_only_trainers_and_admins_see_equipment(api, admin):
    member = api.member()
    assert api.get("/equipment", token=member["access_token"]).status == 403
    body = {"name": "X", "kind": "y", "location": "z", "service_interval_hours": 0}
    assert api.post("/equipment", body, token=admin).status == 400
    listed = api.get("/equipment?limit=100", token=admin).body["items"]
    assert all({"status", "usage_hours", "last_seen"} <= set(item) for item in listed)
