"""Child processes that die with the runtime: services (moto, localstripe, broker) and workers."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

INFRA_DIR = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """preexec_fn: the kernel sends SIGTERM to the child if the runtime dies, even by SIGKILL.

    The signal fires when the *thread* that spawned the child ends, so only services started from
    the runtime's main thread use it.
    """
    # Not Linux: no death signal, but Ctrl-C / SIGTERM still stop children cleanly.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def wait_for_port(port: int, *, timeout_s: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def pipe_lines(stream, emit: Callable[[str], None]) -> threading.Thread:  # type: ignore[no-untyped-def]
    """Forward a child's output line by line (prefixed by `emit`) on a daemon thread."""

    def pump() -> None:
        for raw in iter(stream.readline, b""):
            emit(raw.decode(errors="replace").rstrip("\n"))
        stream.close()

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


class Service:
    """A long-running helper process (moto, localstripe, MQTT broker) on one port."""

    def __init__(self, name: str, module: str, port: int, log: Callable[[str, str], None]) -> None:
        self.name, self.module, self.port, self.log = name, module, port, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        if not port_is_free(self.port):
            raise RuntimeError(f"{self.name}: port {self.port} is taken (set another with the environment)")
        env = {**os.environ, "PYTHONPATH": str(INFRA_DIR), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        pipe_lines(self.process.stdout, lambda line: self.log(self.name, line))

    def wait_ready(self, timeout_s: float = 15) -> None:
        wait_for_port(self.port, timeout_s=timeout_s, process=self.process)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def resident_memory(root_pid: int | None = None) -> dict[str, int]:
    """Memory of a process and all its descendants (Linux /proc; zeros elsewhere): `rss_bytes`
    (each process's resident set, shared pages counted in each), `pss_bytes` (shared pages split
    between their sharers: what the tree really costs) and `processes`."""
    root = root_pid or os.getpid()
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    totals = {"rss_bytes": 0, "pss_bytes": 0, "processes": 0}
    for pid in tree:
        with contextlib.suppress(OSError):
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
            fields = {line.split(":")[0]: line.split()[1] for line in rollup if line.endswith("kB")}
            totals["rss_bytes"] += int(fields.get("Rss", 0)) * 1024
            totals["pss_bytes"] += int(fields.get("Pss", 0)) * 1024
            totals["processes"] += 1
    return totals
