"""Mobile and web push through SNS platform endpoints, one per registered device.

The apps' SNS platform applications (APNs for iOS, FCM for Android and web) are not CloudFormation
resources: their ARNs are template parameters, given to the sender as `PUSH_APNS_APPLICATION_ARN`
and `PUSH_FCM_APPLICATION_ARN` (empty: that platform has no push). A device's endpoint is created
the first time it is pushed to (CreatePlatformEndpoint is idempotent per token) and its ARN kept
on the device. When SNS reports an endpoint disabled, the platform has said the token is dead (the
app was removed): the endpoint and the device are deleted, as AWS recommends, rather than retried.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fitconnect.members.public import Device
from fitconnect.platform import aws
from fitconnect.platform.observability import logger
from fitconnect.platform.settings import env, env_optional
from fitconnect.platform.storage import conditional_delete, conditional_update

APPLICATION_ENV = {
    "ios": "PUSH_APNS_APPLICATION_ARN",
    "android": "PUSH_FCM_APPLICATION_ARN",
    "web": "PUSH_FCM_APPLICATION_ARN",
}
# "Endpoint <arn> already exists with the same Token, but different attributes." (a disabled one)
_EXISTING_ENDPOINT = re.compile(r"Endpoint (arn:[^ ]+) already exists")


def configured_platforms() -> set[str]:
    return {platform for platform, name in APPLICATION_ENV.items() if env_optional(name)}


def send(devices: list[Device], notification_id: str, title: str, body: str) -> dict[str, Any]:
    """Push to each of the member's devices; the outcome for the notification's `push` channel."""
    configured = configured_platforms()
    reachable = [device for device in devices if device.platform in configured]
    if not reachable:
        reason = "no registered device" if not devices else "push is not configured for these devices"
        return {"status": "skipped", "reason": reason}
    message = _message(notification_id, title, body)
    message_ids, gone = [], 0
    for device in reachable:
        message_id = _publish(device, message)
        if message_id is None:
            gone += 1
        else:
            message_ids.append(message_id)
    if not message_ids:
        return {
            "status": "skipped",
            "reason": "every device's token is no longer valid",
            "devices_removed": gone,
        }
    return {"status": "sent", "message_ids": message_ids, "devices_removed": gone}


def _message(notification_id: str, title: str, body: str) -> str:
    """One SNS message with a payload per platform (MessageStructure=json; values are strings)."""
    apns = json.dumps(
        {
            "aps": {"alert": {"title": title, "body": body}, "sound": "default"},
            "notification_id": notification_id,
        }
    )
    fcm = json.dumps(
        {
            "fcmV1Message": {
                "message": {
                    "notification": {"title": title, "body": body},
                    "data": {"notification_id": notification_id},
                }
            }
        }
    )
    return json.dumps({"default": body, "APNS": apns, "APNS_SANDBOX": apns, "GCM": fcm})


def _publish(device: Device, message: str) -> str | None:
    """SNS's message id, or None when the device's token is dead (it is then forgotten)."""
    sns = aws.client("sns")
    endpoint_arn = device.endpoint_arn or _create_endpoint(device)
    if endpoint_arn is None:
        return None
    try:
        return str(sns.publish(TargetArn=endpoint_arn, Message=message, MessageStructure="json")["MessageId"])
    except sns.exceptions.EndpointDisabledException:
        logger.info("push token no longer valid: device removed", extra={"platform": device.platform})
        forget(device)
        return None
    except sns.exceptions.NotFoundException:
        # The endpoint was deleted behind our back: make it again, once (unless the device went too).
        endpoint_arn = _create_endpoint(device)
        if endpoint_arn is None:
            return None
        return str(sns.publish(TargetArn=endpoint_arn, Message=message, MessageStructure="json")["MessageId"])


def _create_endpoint(device: Device) -> str | None:
    """The device's endpoint ARN, made now; None when the device was forgotten meanwhile (an erasure
    or a dead token while this message was on its way): the endpoint just made is deleted again, or
    it would outlive the member's erasure."""
    sns = aws.client("sns")
    application_arn = env(APPLICATION_ENV[device.platform])
    try:
        endpoint_arn = str(
            sns.create_platform_endpoint(PlatformApplicationArn=application_arn, Token=device.token)[
                "EndpointArn"
            ]
        )
    except sns.exceptions.InvalidParameterException as error:
        # The token has an endpoint already, disabled: the app registered the token again, so it is
        # valid again (AWS's token-management advice: re-enable that endpoint).
        existing = _EXISTING_ENDPOINT.search(str(error))
        if existing is None:
            raise
        endpoint_arn = existing.group(1)
        sns.set_endpoint_attributes(
            EndpointArn=endpoint_arn, Attributes={"Token": device.token, "Enabled": "true"}
        )
    if not conditional_update(device, [Device.endpoint_arn.set(endpoint_arn)], Device.sk.exists()):
        sns.delete_endpoint(EndpointArn=endpoint_arn)
        return None
    return endpoint_arn


def forget(device: Device) -> None:
    """Delete the device and its endpoint (a dead token, or the member's erasure). Repeatable.

    The device is deleted only if it still names the endpoint deleted here: a sender that made an
    endpoint after `device` was read has written its ARN, so the device is read again and that
    endpoint goes too (the sender's side of the race is in `_create_endpoint`)."""
    for _ in range(3):
        if device.endpoint_arn:
            aws.client("sns").delete_endpoint(EndpointArn=device.endpoint_arn)  # idempotent at SNS
        unchanged = (
            Device.endpoint_arn == device.endpoint_arn
            if device.endpoint_arn
            else Device.endpoint_arn.does_not_exist()
        )
        if conditional_delete(device, unchanged):
            return
        try:
            device.refresh(consistent_read=True)
        except Device.DoesNotExist:
            return
    raise RuntimeError("a push device kept changing while it was being forgotten")
