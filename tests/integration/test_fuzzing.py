"""Schemathesis against the local runtime, from the OpenAPI document the API serves.

For each role a bounded, seeded run (the member: every operation; the trainer and the admin: the
routes their role changes): examples, boundary values, random and invalid data, then stateful
sequences along the document's links (create -> read -> change -> delete). The checks: no 5xx,
only documented statuses and content types, answers that match their schemas (API.md's error
shape for every error), and invalid data refused. `make fuzz` runs the same with a bigger budget
(FUZZ_EXAMPLES, FUZZ_SEED).

It runs on a runtime of its own, so the data it creates never meets another test's.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.api import ApiClient
from tests.support.local import iam_refusals, start_runtime
from tests.support.paths import TEMPLATE

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
]
# Operations that would end the fuzzing caller's own login or account half-way through the run.
EXCLUDED = ["DeleteMe", "Logout"]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
# The member's run covers every operation but the admin's and the equipment's (a member's token gets
# 403 there before any input is read: the admin's run fuzzes them with a token that reaches the
# code); the trainer's and the admin's cover what their role changes (the same member routes again
# as another role walk the same code: time, not coverage).
ROLE_PATHS = {
    "member": "^/(?!admin/|equipment)",
    "trainer": "^/(sessions|trainers|bookings)",
    "admin": "^/(admin|equipment|sessions|trainers)",
}
SEED = int(os.environ.get("FUZZ_SEED", "20261129"))


@pytest.fixture(scope="module")
def fuzz_platform():
    runtime = start_runtime(TEMPLATE)
    yield runtime
    runtime.stop()
    assert not iam_refusals(runtime), "IAM refused calls the code makes:\n" + "\n".join(
        iam_refusals(runtime)[:20]
    )


@pytest.fixture(scope="module")
def tokens(fuzz_platform):
    """A fresh member, trainer and admin of the fuzzing runtime (the demo admin promotes them)."""
    api = ApiClient(fuzz_platform.api_url)
    demo_admin = api.login("admin@fitconnect.local", "fitconnect-demo").body["access_token"]
    admin = api.member()
    promoted = api.patch(f"/admin/users/{admin['user_id']}", {"role": "admin"}, token=demo_admin)
    assert promoted.status == 200, promoted.body
    return {
        "member": api.member()["access_token"],
        "trainer": api.approved_trainer(demo_admin)["access_token"],
        "admin": api.login(admin["email"], admin["password"]).body["access_token"],
    }


@pytest.mark.parametrize("role", ["member", "trainer", "admin"])
def test_every_operation_holds_up_to_generated_requests(fuzz_platform, tokens, role, tmp_path):
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"{fuzz_platform.api_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {tokens[role]}",
        "--checks",
        ",".join(CHECKS),
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",  # one: the same seed then gives the same run (and no thread's small C stack)
        "1",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--no-shrink",
        "--request-timeout",
        "30",
        "--report-dir",
        str(tmp_path),
        "--include-path-regex",
        ROLE_PATHS[role],
        *[option for operation in EXCLUDED for option in ("--exclude-operation-id", operation)],
    ]
    # In a directory of its own: schemathesis keeps a cache of past failures where it runs.
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-2000:]
