"""Unit tests run the real code against moto's in-process AWS, with resources made from template.yaml."""

import os
from unittest import mock

import pytest
from moto import mock_aws

from fitconnect.platform import secrets
from fitconnect_local.provision import Provisioner

REGION = "us-east-1"


@pytest.fixture
def aws(template, functions):
    """A fresh in-process AWS with every resource the template declares (tables, buckets, queues,
    bus, rules, secrets, parameters, e-mail identities)."""
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
        # The local runtime's own provisioner, pointed at the in-process mock (no endpoint).
        Provisioner(template, None, functions).provision()
        secrets.forget()  # a new AWS has new secret values under the same names
        yield template


@pytest.fixture
def function_env(aws, functions):
    """Patch the environment a function gets from the template (Globals + its own), resolved."""

    def apply(logical_id: str):
        return mock.patch.dict(os.environ, functions[logical_id].environment)

    return apply
