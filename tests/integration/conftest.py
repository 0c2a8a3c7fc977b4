import json
import os

import pytest

from tests.support.local import start_runtime
from tests.support.oidc import LocalOidcIssuer
from tests.support.paths import FIXTURE_APP, TEMPLATE


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def oidc_issuer():
    """A test OIDC provider, configured as `testidp` through SSO_PROVIDERS as a developer would."""
    issuer = LocalOidcIssuer()
    yield issuer
    issuer.stop()


@pytest.fixture(scope="session")
def platform(oidc_issuer):
    """The real template.yaml on the local runtime, with the test OIDC provider configured."""
    providers = {"testidp": oidc_issuer.provider_config()}
    runtime = start_runtime(TEMPLATE, environ={**os.environ, "SSO_PROVIDERS": json.dumps(providers)})
    yield runtime
    runtime.stop()


@pytest.fixture(scope="session")
def fixture_app():
    """The runtime-behaviour fixture app, with fast async retries."""
    runtime = start_runtime(FIXTURE_APP / "template.yaml", async_retry_delays_s=(0.2, 0.2))
    yield runtime
    runtime.stop()
