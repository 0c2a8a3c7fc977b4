"""`make smoke URL=…` walks a stage end to end; here against the local platform, as after a deploy."""

import io

from deploy.smoke import smoke
from tests.support.local import free_port


def test_the_smoke_script_passes_against_a_working_stage(platform):
    out = io.StringIO()
    assert smoke(platform.api_url, out=out) is True
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "ok   health",
        "ok   register",
        "ok   login",
        "ok   profile",
        "ok   sessions",
        "ok   erase",
    ]
    assert lines[-1] == "smoke test passed"


def test_the_smoke_script_fails_at_the_first_broken_step():
    out = io.StringIO()
    assert smoke(f"http://127.0.0.1:{free_port()}", out=out) is False  # nothing listens there
    assert out.getvalue().splitlines()[-1].startswith("smoke test failed")
