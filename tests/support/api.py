"""A small HTTP client for the local runtime's API, and the identity steps many tests share."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error_code(self) -> str | None:
        error = (self.body or {}).get("error") if isinstance(self.body, dict) else None
        return error.get("code") if error else None


class _FromAddress(HTTPAdapter):
    """Connections from one loopback address (Linux routes all of 127.0.0.0/8 to loopback)."""

    def __init__(self, source_ip: str) -> None:
        self.source_ip = source_ip
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source_ip, 0)
        super().init_poolmanager(*args, **kwargs)


def loopback_address() -> str:
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


class ApiClient:
    """Each client calls from its own loopback address: the API limits failed sign-ins per source
    address, and one test's wrong passwords must not throttle another's."""

    def __init__(self, base_url: str, source_ip: str | None = None) -> None:
        self.base_url = base_url
        self.source_ip = source_ip or loopback_address()
        self.http = requests.Session()
        self.http.mount("http://", _FromAddress(self.source_ip))

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict | None = None,
        raw_body: bytes | None = None,
    ) -> Reply:
        """`body` goes as JSON; `raw_body` as the exact bytes (a signed webhook)."""
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = self.http.request(
            method,
            self.base_url + path,
            json=body if raw_body is None else None,
            data=raw_body,
            headers=all_headers,
            timeout=30,
        )
        payload: Any = None
        if response.content:
            is_json = "json" in response.headers.get("Content-Type", "application/json")
            payload = response.json() if is_json else response.text  # a CSV, a calendar
        return Reply(response.status_code, payload, dict(response.headers))

    def get(self, path: str, **options: Any) -> Reply:
        return self.call("GET", path, **options)

    def post(self, path: str, body: Any = None, **options: Any) -> Reply:
        return self.call("POST", path, body, **options)

    def put(self, path: str, body: Any = None, **options: Any) -> Reply:
        return self.call("PUT", path, body, **options)

    def patch(self, path: str, body: Any = None, **options: Any) -> Reply:
        return self.call("PATCH", path, body, **options)

    def delete(self, path: str, **options: Any) -> Reply:
        return self.call("DELETE", path, **options)

    # -- scheduling steps
    def new_session(
        self, trainer: dict[str, str], *, starts_in: timedelta = timedelta(days=30), **changes: Any
    ) -> str:
        """A session the trainer publishes: a free in-person class `starts_in` from now (whole
        seconds, UTC), with `changes` to any field; its id."""
        starts_at = (datetime.now(UTC) + starts_in).replace(microsecond=0)
        body = {
            "title": "Spin",
            "starts_at": starts_at.isoformat().replace("+00:00", "Z"),
            "duration_min": 45,
            "capacity": 2,
            "price_cents": 0,
            "currency": "usd",
            "kind": "in_person",
            "location": "Studio 1",
            **changes,
        }
        if body["kind"] == "live" and "location" not in changes:
            del body["location"]
        reply = self.post("/sessions", body, token=trainer["access_token"])
        assert reply.status == 201, reply.body
        return reply.body["session_id"]

    # -- identity steps
    def register(self, email: str | None = None, password: str = "a long enough password") -> dict[str, str]:
        email = email or f"member-{uuid.uuid4().hex[:10]}@example.com"
        reply = self.post("/auth/register", {"email": email, "password": password, "name": "Test Member"})
        assert reply.status == 201, reply.body
        return {"email": email, "password": password, "user_id": reply.body["user_id"]}

    def login(self, email: str, password: str, totp_code: str | None = None) -> Reply:
        body = {"email": email, "password": password}
        if totp_code:
            body["totp_code"] = totp_code
        return self.post("/auth/login", body)

    def member(self) -> dict[str, str]:
        """A new member, logged in: email, password, user_id, access_token, refresh_token."""
        account = self.register()
        reply = self.login(account["email"], account["password"])
        assert reply.status == 200, reply.body
        return {**account, **reply.body}

    def relogin(self, *members: dict[str, str]) -> None:
        """Fresh access tokens for `members` (theirs expired when the functions' clock jumped)."""
        for member in members:
            member["access_token"] = self.login(member["email"], member["password"]).body["access_token"]

    def emails_to(self, member: dict[str, str], subject_start: str = "") -> list[dict[str, Any]]:
        """The e-mails the local runtime's outbox holds for `member`, whose subject starts so."""
        mine = [m for m in self.get("/_local/outbox").body["items"] if member["email"] in m.get("to", [])]
        return [m for m in mine if m["subject"].startswith(subject_start)]

    def approved_trainer(self, admin_token: str, timezone: str | None = None) -> dict[str, str]:
        """A new member who applied and was approved by the admin, logged in again as a trainer."""
        member = self.member()
        if timezone:
            self.patch("/me", {"timezone": timezone}, token=member["access_token"])
        bio = "Indoor cycling and HIIT coach for busy people, every level welcome."
        body = {"bio": bio, "specialties": ["hiit"], "hourly_rate_cents": 5000, "currency": "eur"}
        assert self.post("/trainers", body, token=member["access_token"]).status == 201
        assert self.post(f"/admin/trainers/{member['user_id']}/approve", token=admin_token).status == 200
        token = self.login(member["email"], member["password"]).body["access_token"]
        return {**member, "access_token": token}
