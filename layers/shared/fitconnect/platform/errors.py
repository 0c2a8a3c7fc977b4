"""The API's error model (API.md): `{"error": {"code", "message", "details"}}`.

`details` is always there: null, or a list of objects (one per bad field, or the facts a client
acts on, such as `retry_after_s`). Domain code raises these; the HTTP app turns them into
responses. Every subclass is a 4xx except `ServiceUnavailable` (503: a provider we depend on did
not answer and nothing changed). Anything else that escapes a route is a bug and becomes a logged
500 `internal_error`.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """An error the caller can act on. Subclasses fix the status and a default code."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


class BadRequest(ApiError):
    status = 400
    default_code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    default_code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    default_code = "forbidden"


class NotFound(ApiError):
    status = 404
    default_code = "not_found"


class Conflict(ApiError):
    status = 409
    default_code = "conflict"


class Unprocessable(ApiError):
    status = 422
    default_code = "unprocessable"


class TooManyRequests(ApiError):
    status = 429
    default_code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(
            message,
            code=code,
            details=[{"retry_after_s": retry_after_s}],
            headers={"Retry-After": str(retry_after_s)},
        )


class ServiceUnavailable(ApiError):
    """A provider we depend on (Stripe) did not answer: nothing was changed, the caller may retry."""

    status = 503
    default_code = "service_unavailable"
