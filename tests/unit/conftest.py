"""Unit tests run the real code against moto's in-process AWS, with resources made from template.yaml."""

import os
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from fitconnect_local.provision import table_requests

REGION = "us-east-1"


@pytest.fixture
def aws(template):
    """A fresh in-process AWS with every table, bucket, queue and the bus the template declares."""
    env = {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_NAMESPACE": "FitConnectTest",
        "POWERTOOLS_SERVICE_NAME": "test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    with mock.patch.dict(os.environ, env, clear=False), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        dynamodb = boto3.client("dynamodb")
        for request in table_requests(template):
            dynamodb.create_table(**request)
        s3 = boto3.client("s3")
        for logical_id in template.of_type("AWS::S3::Bucket"):
            s3.create_bucket(Bucket=template.physical[logical_id].ref)
        events = boto3.client("events")
        for logical_id in template.of_type("AWS::Events::EventBus"):
            events.create_event_bus(Name=template.physical[logical_id].ref)
        sqs = boto3.client("sqs")
        for logical_id in template.of_type("AWS::SQS::Queue"):
            physical = template.physical[logical_id]
            physical_url = sqs.create_queue(QueueName=physical.attrs["QueueName"])["QueueUrl"]
            physical.ref = physical_url
        yield template


@pytest.fixture
def function_env(aws, functions):
    """Patch the environment a function gets from the template (Globals + its own), resolved."""

    def apply(logical_id: str):
        return mock.patch.dict(os.environ, functions[logical_id].environment)

    return apply
