"""Push endpoints follow the device's token (moto's SNS): made once, dropped when dead, revived
when the app registers the same token again."""

import boto3

from fitconnect.members import profiles
from fitconnect.members.profiles import DeviceRegistration
from fitconnect.notifications import push
from tests.support.local import sns_endpoints


def _endpoint(arn):
    return boto3.client("sns").get_endpoint_attributes(EndpointArn=arn)["Attributes"]


def _register(token):
    device, _ = profiles.register_device("member-1", DeviceRegistration(platform="ios", token=token))
    return device


def test_an_endpoint_is_made_once_and_a_re_registered_token_revives_it(function_env):
    with function_env("SendNotificationsFunction"):
        device = _register("apns-token-0001")
        assert push.send([device], "n-1", "Booked", "Yoga")["status"] == "sent"
        [stored] = profiles.devices_of("member-1")
        assert push.send([stored], "n-2", "Booked", "Pilates")["status"] == "sent"
        assert profiles.devices_of("member-1")[0].endpoint_arn == stored.endpoint_arn  # not made twice

        # APNs reported the token dead, then the member reinstalled and the app registered it again.
        boto3.client("sns").set_endpoint_attributes(
            EndpointArn=stored.endpoint_arn, Attributes={"Enabled": "false"}
        )
        revived = _register("apns-token-0001")
        outcome = push.send([revived], "n-3", "Reminder", "Yoga at 7")

        assert outcome["status"] == "sent"
        assert _endpoint(stored.endpoint_arn)["Enabled"] in ("true", True)
        assert profiles.devices_of("member-1")[0].endpoint_arn == stored.endpoint_arn


def test_a_dead_token_is_forgotten_with_its_endpoint(function_env):
    with function_env("SendNotificationsFunction"):
        device = _register("apns-token-0002")
        push.send([device], "n-1", "Booked", "Yoga")
        [stored] = profiles.devices_of("member-1")
        boto3.client("sns").set_endpoint_attributes(
            EndpointArn=stored.endpoint_arn, Attributes={"Enabled": "false"}
        )

        outcome = push.send([stored], "n-2", "Booked", "Yoga")

    assert outcome == {
        "status": "skipped",
        "reason": "every device's token is no longer valid",
        "devices_removed": 1,
    }
    with function_env("SendNotificationsFunction"):
        assert profiles.devices_of("member-1") == []


def test_devices_of_a_platform_without_an_application_are_skipped(function_env, monkeypatch):
    with function_env("SendNotificationsFunction"):
        monkeypatch.setenv("PUSH_APNS_APPLICATION_ARN", "")
        outcome = push.send([_register("apns-token-0003")], "n-1", "Booked", "Yoga")
    assert outcome == {"status": "skipped", "reason": "push is not configured for these devices"}


def _endpoints():
    return sns_endpoints(boto3.client("sns"))


def test_a_push_on_its_way_while_the_member_is_erased_leaves_no_endpoint_behind(function_env):
    """The sender read the device, then the erasure forgot it, then the sender made its endpoint."""
    with function_env("SendNotificationsFunction"):
        read_by_the_sender = _register("apns-token-0004")
        before = len(_endpoints())
        push.forget(profiles.devices_of("member-1")[0])

        outcome = push.send([read_by_the_sender], "n-1", "Cancelled", "Yoga")

        assert outcome["status"] == "skipped"
        assert outcome["devices_removed"] == 1
        assert len(_endpoints()) == before
        assert profiles.devices_of("member-1") == []


def test_an_erasure_that_read_the_device_before_its_first_push_still_deletes_the_endpoint(function_env):
    """The erasure read the device (no endpoint yet), then a push made one, then the erasure deleted."""
    with function_env("SendNotificationsFunction"):
        read_by_the_erasure = _register("apns-token-0005")
        before = len(_endpoints())
        assert push.send(profiles.devices_of("member-1"), "n-1", "Booked", "Yoga")["status"] == "sent"
        assert len(_endpoints()) == before + 1

        push.forget(read_by_the_erasure)

        assert len(_endpoints()) == before
        assert profiles.devices_of("member-1") == []
