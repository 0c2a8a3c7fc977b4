import os

import pytest

# Every test process: fake credentials (no test may reach real AWS) and the Powertools settings the
# template's Globals give functions.
for name, value in {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_METRICS_NAMESPACE": "FitConnectTest",
    "POWERTOOLS_SERVICE_NAME": "test",
    "POWERTOOLS_TRACE_DISABLED": "true",
}.items():
    os.environ[name] = value
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from fitconnect_local.functions import function_specs  # noqa: E402 - after the environment above
from fitconnect_local.template import load_template  # noqa: E402
from tests.support.lambdas import FakeLambdaContext  # noqa: E402
from tests.support.paths import TEMPLATE  # noqa: E402


@pytest.fixture(scope="session")
def template():
    return load_template(TEMPLATE, parameters={"Stage": "test"})


@pytest.fixture(scope="session")
def functions(template):
    return function_specs(template)


@pytest.fixture
def lambda_context():
    return FakeLambdaContext()
