"""Domain events reach the bus with their envelope; EventBridge rules (moto) see them."""

import json
import os
from unittest import mock

import boto3
import pytest

from fitconnect.platform import events
from fitconnect.platform.aws import client as aws_client
from fitconnect.platform.events import DomainEvent, EventPublishError


class ThingHappened(DomainEvent):
    source = "fitconnect.test"
    detail_type = "ThingHappened"
    thing_id: str
    count: int


@pytest.fixture
def bus_tap(aws):
    """A rule on the bus that copies fitconnect.* events to a queue we can read."""
    bus = aws.physical["EventBus"].ref
    sqs, eventbridge = boto3.client("sqs"), boto3.client("events")
    url = sqs.create_queue(QueueName="tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    eventbridge.put_rule(
        Name="tap", EventBusName=bus, EventPattern=json.dumps({"source": [{"prefix": "fitconnect."}]})
    )
    eventbridge.put_targets(Rule="tap", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    aws_client.cache_clear()
    with mock.patch.dict(os.environ, {"EVENT_BUS_NAME": bus}):
        yield lambda: [
            json.loads(m["Body"])
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        ]
    aws_client.cache_clear()


def test_published_event_carries_data_and_metadata(bus_tap):
    [event_id] = events.publish([ThingHappened(thing_id="t1", count=3)], correlation_id="req-123")
    [delivered] = bus_tap()
    assert delivered["source"] == "fitconnect.test"
    assert delivered["detail-type"] == "ThingHappened"
    assert delivered["detail"]["data"] == {"thing_id": "t1", "count": 3}
    assert delivered["detail"]["metadata"]["event_id"] == event_id
    assert delivered["detail"]["metadata"]["correlation_id"] == "req-123"
    assert delivered["detail"]["metadata"]["occurred_at"].endswith("Z")


def test_many_events_are_sent_in_batches_of_ten(bus_tap):
    with mock.patch.object(aws_client("events"), "put_events", wraps=aws_client("events").put_events) as put:
        ids = events.publish(
            [ThingHappened(thing_id=f"t{i}", count=i) for i in range(23)], correlation_id=None
        )
    assert len(set(ids)) == 23
    assert [len(call.kwargs["Entries"]) for call in put.call_args_list] == [10, 10, 3]


def test_rejected_entries_are_retried_once_then_raise(bus_tap):
    client = aws_client("events")
    refusal = {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "ThrottlingException"}]}
    with (
        mock.patch.object(client, "put_events", return_value=refusal) as put,
        pytest.raises(EventPublishError),
    ):
        events.publish([ThingHappened(thing_id="t1", count=1)], correlation_id=None)
    assert put.call_count == 2
