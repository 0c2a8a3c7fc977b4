"""Equipment over the real MQTT broker: telemetry → IoT rule → Kinesis stream → function (batches) →
status and usage."""

import base64
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from tests.support.local import aws, eventually
from tests.support.paths import REPO_ROOT


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
    # An older message (delivered late) adds its usage but does not move the status or readings back.
    device(equipment_id, reading(minutes_ago=3, usage_seconds=1200, battery_pct=10))
    assert eventually(lambda: current(api, admin, equipment_id)["usage_hours"] == 0.5)
    seen = current(api, admin, equipment_id)
    assert (seen["status"], seen["battery_pct"]) == ("available", 80)
    device(equipment_id, reading(usage_seconds=1800))  # crosses the 1-hour service interval
    assert eventually(lambda: current(api, admin, equipment_id)["status"] == "needs_service")
    assert current(api, admin, equipment_id)["usage_hours"] == 1.0
    serviced = api.post(f"/equipment/{equipment_id}/service", token=admin).body
    assert (serviced["usage_hours_since_service"], serviced["status"]) == (0, "in_use")
    assert serviced["usage_hours"] == 1.0


def test_a_shuffled_burst_with_duplicates_through_the_stream_counts_each_message_once(api, admin, device):
    """300 messages of three machines, shuffled and 30 of them published twice, over MQTT → the rule
    → the stream → batches: each machine counts its 100 messages once, whatever the order."""
    machines = [new_machine(api, admin, name=f"Burst {n}") for n in range(3)]
    start = datetime.now(UTC) - timedelta(minutes=10)
    messages = [
        (machine, {"ts": (start + timedelta(seconds=5 * i)).isoformat(), "in_use": True, "usage_seconds": 5})
        for machine in machines
        for i in range(100)
    ]
    shuffled = messages + random.Random(5).sample(messages, 30)
    random.Random(6).shuffle(shuffled)
    for n, (machine, payload) in enumerate(shuffled):  # every other one as enrolled devices publish
        device(machine, payload, basic_ingest=n % 2 == 0)
    for machine in machines:
        assert eventually(
            lambda machine=machine: current(api, admin, machine)["readings"] == 100, timeout_s=30
        )
        assert current(api, admin, machine)["usage_hours"] == round(500 / 3600, 2)


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


def test_a_drifting_machine_gets_an_anomaly_and_a_healthy_one_does_not(api, admin, device):
    drifting, healthy = new_machine(api, admin, "Spin bike 11"), new_machine(api, admin, "Spin bike 12")
    for minute in range(30, 5, -1):  # 25 normal readings each, a minute apart
        wobble = 0.4 if minute % 2 else -0.4
        for machine in (drifting, healthy):
            device(machine, reading(minutes_ago=minute, usage_seconds=60, temperature_c=40 + wobble))
        time.sleep(0.15)  # a real device reports once a minute: keep them in order

    def baselined():  # every reading counted once, whatever order the invocations ran in
        return all(current(api, admin, machine)["readings"] == 25 for machine in (drifting, healthy))

    assert eventually(baselined, timeout_s=20)
    # It overheats and stays hot for three readings (one hot reading could be a sensor glitch).
    for minutes_ago, hot, usual in ((4, 57.5, 40.3), (3, 58.2, 39.8), (2, 58, 40.1)):
        device(
            drifting, reading(minutes_ago=minutes_ago, usage_seconds=60, temperature_c=hot, battery_pct=12)
        )
        device(healthy, reading(minutes_ago=minutes_ago, usage_seconds=60, temperature_c=usual))
        time.sleep(0.15)

    def anomalies():
        items = api.get("/equipment/recommendations", token=admin).body["items"]
        return [
            item
            for item in items
            if item["type"] == "anomaly" and item["equipment_id"] in (drifting, healthy)
        ]

    found = eventually(anomalies, timeout_s=30)
    assert [item["equipment_id"] for item in found] == [drifting]
    evidence = found[0]["evidence"]
    assert evidence["reading"] == "temperature_c"
    assert evidence["last"] == 58
    assert evidence["z_score"] > 3
    assert 39 < evidence["baseline_mean"] < 41
    assert evidence["samples"] >= 20
    assert evidence["consecutive_readings"] == 3
    items = api.get("/equipment/recommendations", token=admin).body["items"]
    assert {"low_battery"} == {i["type"] for i in items if i["equipment_id"] == drifting} - {
        "anomaly",
        "service_due",
    }


def test_service_due_is_recommended_with_a_predicted_date(api, admin, device):
    machine = new_machine(api, admin, "Rower 12")  # a 1-hour service interval
    device(machine, reading(usage_seconds=3000))  # 83% of it

    def due():
        items = api.get("/equipment/recommendations", token=admin).body["items"]
        return [item for item in items if item["equipment_id"] == machine and item["type"] == "service_due"]

    found = eventually(due, timeout_s=20)
    assert found[0]["severity"] == "medium"
    assert found[0]["evidence"]["share_of_interval"] == 0.83
    assert found[0]["evidence"]["predicted_due_at"] > datetime.now(UTC).isoformat()[:10]
    member = api.member()
    assert api.get("/equipment/recommendations", token=member["access_token"]).status == 403


def test_raw_telemetry_is_archived_to_s3_by_date(api, admin, device, platform):
    machine = new_machine(api, admin, "Treadmill 20")
    device(machine, reading(temperature_c=41.25))
    s3 = aws(platform, "s3")
    bucket = platform.template.physical["AnalyticsBucket"].ref
    day = datetime.now(UTC).date().isoformat()

    def archived():
        objects = s3.list_objects_v2(Bucket=bucket, Prefix=f"telemetry/dt={day}/").get("Contents", [])
        bodies = [s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().decode() for o in objects]
        return [line for body in bodies for line in body.splitlines() if machine in line]

    lines = eventually(archived, timeout_s=40)
    assert json.loads(lines[0])["temperature_c"] == 41.25


def test_the_simulator_makes_the_demo_machines_live_and_names_the_drifting_one(api, admin, platform):
    """The issue's journey: `make simulate` against the running platform (here faster: 0.3 s apart)."""
    demo = ["Treadmill 1", "Rowing machine 2", "Spin bike 3"]
    steps = 45  # the drift starts at the 30th report
    command = [sys.executable, "-m", "simulator", "--api", platform.api_url]
    command += ["--mqtt-port", str(platform.ports.mqtt), "--interval", "0.3", "--steps", str(steps)]
    for name in demo:
        command += ["--machine", name]
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT / 'layers/shared'}:{REPO_ROOT / 'infra'}"}
    subprocess.run(command, env=env, check=True, timeout=120, capture_output=True)

    def demo_machines():
        items = api.get("/equipment?limit=100", token=admin).body["items"]
        return {item["name"]: item for item in items if item["name"] in demo}

    # Every report counted exactly once, each machine live (no longer offline).
    assert eventually(lambda: all(m["readings"] == steps for m in demo_machines().values()), timeout_s=60)
    assert {m["status"] for m in demo_machines().values()} <= {"available", "in_use"}
    recommendations = api.get("/equipment/recommendations", token=admin).body["items"]
    anomalous = {item["name"] for item in recommendations if item["type"] == "anomaly"} & set(demo)
    assert anomalous == {"Rowing machine 2"}
    drift = next(i for i in recommendations if i["name"] == "Rowing machine 2" and i["type"] == "anomaly")
    assert drift["evidence"]["z_score"] > 3


# -- enrolment: a thing, a certificate and a policy per machine --------------------------------------
def test_enrolment_hands_over_a_certificate_once_bound_to_the_machine_and_its_topic(api, admin, platform):
    equipment_id = new_machine(api, admin, name="Treadmill 12")
    member = api.member()
    assert api.post(f"/equipment/{equipment_id}/enrolment", token=member["access_token"]).status == 403
    reply = api.post(f"/equipment/{equipment_id}/enrolment", token=admin)
    assert reply.status == 201
    assert reply.headers["Cache-Control"] == "no-store"  # the private key exists in this answer only
    enrolled = reply.body
    assert enrolled["thing_name"] == enrolled["client_id"] == equipment_id
    assert enrolled["topic"] == f"fitconnect/equipment/{equipment_id}/telemetry"
    assert enrolled["basic_ingest_topic"] == f"$aws/rules/fitconnect_local_telemetry/{enrolled['topic']}"
    assert enrolled["certificate_pem"].startswith("-----BEGIN CERTIFICATE-----")
    assert "PRIVATE KEY" in enrolled["private_key"]
    assert enrolled["endpoint"]
    iot = aws(platform, "iot")
    thing = iot.describe_thing(thingName=equipment_id)
    assert thing["thingTypeName"] == "fitconnect-local-equipment"
    principals = iot.list_thing_principals(thingName=equipment_id)["principals"]
    assert len(principals) == 1
    assert principals[0].endswith(enrolled["certificate_id"])
    policies = iot.list_attached_policies(target=principals[0])["policies"]
    assert [p["policyName"] for p in policies] == ["fitconnect-local-equipment-device"]
    document = json.loads(iot.get_policy(policyName="fitconnect-local-equipment-device")["policyDocument"])
    publish = next(s for s in document["Statement"] if s["Action"] == "iot:Publish")
    plain, basic_ingest = publish["Resource"]
    assert plain.endswith(":topic/fitconnect/equipment/${iot:Connection.Thing.ThingName}/telemetry")
    assert basic_ingest.endswith(
        ":topic/$aws/rules/fitconnect_local_telemetry/fitconnect/equipment/${iot:Connection.Thing.ThingName}/telemetry"
    )
    # Once: a second enrolment is refused and makes no second certificate.
    again = api.post(f"/equipment/{equipment_id}/enrolment", token=admin)
    assert (again.status, again.body["error"]["code"]) == (409, "already_enrolled")
    assert len(iot.list_thing_principals(thingName=equipment_id)["principals"]) == 1
    assert current(api, admin, equipment_id)["enrolled_at"] == enrolled["enrolled_at"]
    assert "private_key" not in json.dumps(current(api, admin, equipment_id))
    missing = api.post("/equipment/01JDNOSUCHEQUIPMENT0000000/enrolment", token=admin)
    assert (missing.status, missing.body["error"]["code"]) == (404, "equipment_not_found")


def test_telemetry_the_rule_cannot_deliver_lands_in_its_error_queue(api, admin, device, platform):
    """IoT Core answers an undeliverable message with the rule's error action; locally too: take the
    rule role's right to put on the stream away and the message is in the errors queue, with the
    reason."""
    equipment_id = new_machine(api, admin, name="Bike 4")
    [route] = [route for route in platform.iot.routes if route.source == "TelemetryRule"]
    statements = platform.policies.roles[route.role_arn]
    platform.policies.roles[route.role_arn] = []  # the role's policy removed
    try:
        device(equipment_id, reading())
        sqs = aws(platform, "sqs")
        url = sqs.get_queue_url(QueueName="fitconnect-local-telemetry-rule-errors")["QueueUrl"]
        received = eventually(lambda: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages"))
    finally:
        platform.policies.roles[route.role_arn] = statements
    failure = json.loads(received[0]["Body"])
    assert failure["ruleName"] == "fitconnect_local_telemetry"
    assert failure["failures"][0]["failedAction"] == "KinesisAction"
    assert "kinesis:PutRecord" in failure["failures"][0]["errorMessage"]
    original = json.loads(base64.b64decode(failure["base64OriginalPayload"]))
    assert original["equipment_id"] == equipment_id
    assert current(api, admin, equipment_id)["readings"] == 0  # the function never saw it
