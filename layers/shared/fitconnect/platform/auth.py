"""Who is calling: the identity the Lambda authorizer put in the request context, and role checks.

The authorizer (identity context) verifies the token and hands `user_id` and `role` to functions
through `requestContext.authorizer.lambda`, or `auth_error` and `auth_message` when the token is
missing or bad (it never denies at the gateway, whose answers lack the API's error shape).
Roles are ordered: member < trainer < admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fitconnect.platform.errors import Forbidden, Unauthorized

Role = Literal["member", "trainer", "admin"]
ROLE_RANK: dict[str, int] = {"member": 1, "trainer": 2, "admin": 3}


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: Role
    session_id: str | None = None  # the login (token family) the access token belongs to

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def caller_from_event(event: dict[str, Any]) -> Caller:
    """The caller of an HTTP API (payload 2.0) request; 401 when no authorizer vouched for one."""
    context = (((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda")) or {}
    user_id, role = context.get("user_id"), context.get("role")
    if user_id and role in ROLE_RANK:
        sid = context.get("sid")
        return Caller(user_id=str(user_id), role=role, session_id=str(sid) if sid else None)
    code = str(context.get("auth_error") or "unauthorized")
    message = str(context.get("auth_message") or "Authentication is required.")
    if code == "account_disabled":
        raise Forbidden(message, code=code)
    raise Unauthorized(message, code=code)


def require_role(caller: Caller, role: Role) -> Caller:
    if not caller.at_least(role):
        raise Forbidden(f"This action needs the {role} role.", code="forbidden")
    return caller
