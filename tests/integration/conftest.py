import pytest

from tests.support.local import start_runtime
from tests.support.paths import FIXTURE_APP, TEMPLATE


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def platform():
    """The real template.yaml on the local runtime."""
    runtime = start_runtime(TEMPLATE)
    yield runtime
    runtime.stop()


@pytest.fixture(scope="session")
def fixture_app():
    """The runtime-behaviour fixture app, with fast async retries."""
    runtime = start_runtime(FIXTURE_APP / "template.yaml", async_retry_delays_s=(0.2, 0.2))
    yield runtime
    runtime.stop()
