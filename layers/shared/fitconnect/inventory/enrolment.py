"""Enrolment: a machine becomes an IoT Core thing with its own certificate, handed over once.

The thing's name is the equipment id, so the device policy (`${iot:Connection.Thing.ThingName}`)
lets the certificate connect as that machine and publish to `fitconnect/equipment/<id>/telemetry`
only, or to the same topic through the telemetry rule's Basic Ingest prefix
(`$aws/rules/<rule>/fitconnect/equipment/<id>/telemetry`), which the device should use: IoT Core
does not bill such a message as messaging (the rule sees the same topic). The private key exists
once, in the answer to the admin who enrols the machine: IoT Core
does not keep it and neither do we (the machine's item keeps the certificate's id and ARN).

A machine is enrolled once. Two enrolments racing each create a certificate; the one whose record
loses the conditional write withdraws its certificate (detached, deactivated, deleted) and answers
409, so a machine never has two live certificates. A thing left behind by a failed attempt is
reused by the next (creating a thing with the same attributes is idempotent in IoT Core).
"""

from __future__ import annotations

import re
from typing import Any

from fitconnect.inventory.equipment import equipment_of
from fitconnect.inventory.models import Equipment
from fitconnect.platform import aws, clock
from fitconnect.platform.errors import Conflict
from fitconnect.platform.settings import env
from fitconnect.platform.storage import conditional_update

TELEMETRY_TOPIC = "fitconnect/equipment/{equipment_id}/telemetry"
_ATTRIBUTE_VALUE = re.compile(r"^[a-zA-Z0-9_.,@/:#-]{1,800}$")  # what IoT Core accepts


def enrol(equipment_id: str) -> dict[str, Any]:
    equipment = equipment_of(equipment_id)
    if equipment.enrolment is not None:
        raise Conflict("This machine is already enrolled.", code="already_enrolled")
    iot = aws.client("iot")
    attributes = {"kind": equipment.kind} if _ATTRIBUTE_VALUE.match(equipment.kind) else {}
    iot.create_thing(
        thingName=equipment_id,
        thingTypeName=env("EQUIPMENT_THING_TYPE"),
        attributePayload={"attributes": attributes},
    )
    created = iot.create_keys_and_certificate(setAsActive=True)
    certificate_arn, certificate_id = created["certificateArn"], created["certificateId"]
    iot.attach_policy(policyName=env("EQUIPMENT_DEVICE_POLICY"), target=certificate_arn)
    iot.attach_thing_principal(thingName=equipment_id, principal=certificate_arn)
    record = {
        "certificate_id": certificate_id,
        "certificate_arn": certificate_arn,
        "enrolled_at": clock.now_iso(),
    }
    if not conditional_update(
        equipment, [Equipment.enrolment.set(record)], condition=Equipment.enrolment.does_not_exist()
    ):
        _withdraw(iot, equipment_id, certificate_arn, certificate_id)
        raise Conflict("This machine is already enrolled.", code="already_enrolled")
    return {
        "equipment_id": equipment_id,
        "thing_name": equipment_id,
        "client_id": equipment_id,
        "topic": TELEMETRY_TOPIC.format(equipment_id=equipment_id),
        "basic_ingest_topic": f"$aws/rules/{env('TELEMETRY_RULE_NAME')}/"
        + TELEMETRY_TOPIC.format(equipment_id=equipment_id),
        "endpoint": iot.describe_endpoint(endpointType="iot:Data-ATS")["endpointAddress"],
        "certificate_id": certificate_id,
        "certificate_pem": created["certificatePem"],
        "private_key": created["keyPair"]["PrivateKey"],
        "enrolled_at": record["enrolled_at"],
    }


def _withdraw(iot: Any, equipment_id: str, certificate_arn: str, certificate_id: str) -> None:
    iot.detach_thing_principal(thingName=equipment_id, principal=certificate_arn)
    iot.detach_policy(policyName=env("EQUIPMENT_DEVICE_POLICY"), target=certificate_arn)
    iot.update_certificate(certificateId=certificate_id, newStatus="INACTIVE")
    iot.delete_certificate(certificateId=certificate_id)
