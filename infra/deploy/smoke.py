"""Smoke-test a deployed stage (or the local one) end to end, leaving nothing behind.

    make smoke URL=https://abc123.execute-api.us-east-1.amazonaws.com

health → register a throwaway member → log in → read the profile → list sessions → erase the
member. Prints one line per step and exits non-zero at the first step that fails.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from fitconnect_local.runtime import fetch_json

TIMEOUT_S = 15


def call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return fetch_json(base.rstrip("/") + path, method=method, body=body, timeout_s=TIMEOUT_S, headers=headers)


def smoke(base: str, out: Any = sys.stdout) -> bool:
    email = f"smoke-{time.time_ns()}@example.com"
    password = f"smoke-{time.time_ns()}-pw"
    state: dict[str, Any] = {}

    def step(name: str, expected: int, method: str, path: str, body: Any = None, auth: bool = False) -> Any:
        status, reply = call(base, method, path, body, state.get("token") if auth else None)
        ok = status == expected
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {method} {path} → {status}", file=out)
        if not ok:
            raise RuntimeError(f"{name}: expected {expected}, got {status}: {reply}")
        return reply

    try:
        health = step("health", 200, "GET", "/health")
        if health.get("status") != "ok":
            raise RuntimeError(f"health: {health}")
        step(
            "register", 201, "POST", "/auth/register", {"email": email, "password": password, "name": "Smoke"}
        )
        tokens = step("login", 200, "POST", "/auth/login", {"email": email, "password": password})
        state["token"] = tokens["access_token"]
        me = step("profile", 200, "GET", "/me", auth=True)
        if me.get("email") != email:
            raise RuntimeError("profile: not the member just registered")
        step("sessions", 200, "GET", "/sessions")
        step("erase", 202, "DELETE", "/me", auth=True)
    except (RuntimeError, OSError, KeyError, AttributeError) as error:
        print(f"smoke test failed: {error}", file=out)
        return False
    print("smoke test passed", file=out)
    return True


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python -m deploy.smoke URL", file=sys.stderr)
        sys.exit(2)
    sys.exit(0 if smoke(sys.argv[1]) else 1)
