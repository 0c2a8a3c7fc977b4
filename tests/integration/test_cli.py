"""`make run` as a user runs it: up fast, serving, and gone without a trace on SIGTERM or Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.support.local import free_port
from tests.support.paths import REPO_ROOT


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:  # ppid
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_run_serves_health_then_stops_cleanly(stop_signal):
    ports = {name: str(free_port()) for name in ("API", "AWS", "STRIPE", "MQTT")}
    env = {
        **os.environ,
        **{f"FITCONNECT_{name}_PORT": port for name, port in ports.items()},
        "PYTHONPATH": f"{REPO_ROOT / 'layers/shared'}:{REPO_ROOT / 'infra'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "fitconnect_local"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        started = time.monotonic()
        banner = ""
        while "FitConnect is up" not in banner:
            line = process.stdout.readline()
            assert line, f"the runtime exited early:\n{banner}"
            banner += line
        # Measured 15-17 s on 2 quiet cores (README), about 20 s while other suites run: a guard
        # against a runaway start, not a benchmark.
        assert time.monotonic() - started < 30
        response = requests.get(f"http://127.0.0.1:{ports['API']}/health", timeout=15)
        assert response.status_code == 200
        assert response.json()["status"] == "ok"
        children = _children_of(process.pid)
        assert len(children) >= 4  # moto, localstripe, the broker, the health worker
        process.send_signal(stop_signal)
        assert process.wait(timeout=15) == 0
        time.sleep(0.5)
        assert [pid for pid in children if _alive(pid)] == []
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{ports['API']}/health", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
