"""The HTTP side of every API function: a Powertools resolver that speaks API.md.

- errors: `ApiError` → its status and `{"error": {...}}`; pydantic validation → 400 with one
  entry per bad field; malformed JSON → 400 `malformed_json`; unknown route → 404; anything
  else → logged 500 `internal_error` (a bug, never the caller's fault).
- bodies above 256 KiB → 413, and non-JSON bodies → 400, before any parsing.
- the caller from the authorizer context and the function's role, checked before anything reads
  the request: an anonymous or under-privileged caller learns nothing of the request's schema.
- `Idempotency-Key` replay.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError, ValidationException
from aws_lambda_powertools.logging import correlation_paths

from fitconnect.platform.auth import Caller, Role, caller_from_event, require_role
from fitconnect.platform.errors import ApiError, error_body
from fitconnect.platform.observability import logger, metrics, tracer

MAX_BODY_BYTES = 256 * 1024
MAX_PATH_PARAMETER_CHARS = 256  # our ids are 26-64 characters; DynamoDB refuses keys over 2 KB
MAX_JSON_DEPTH = 32  # our deepest body nests 4 levels; Python's parser overflows its stack near 1,000
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if status == HTTPStatus.NO_CONTENT:  # no body at all, not "null"
        return Response(status_code=status, body="", headers=headers)
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def error_response(
    status: int, code: str, message: str, details: list[dict[str, Any]] | None = None
) -> Response:
    return json_response(status, error_body(code, message, details))


SUCCESS = {
    200: "OK.",
    201: "Created.",
    202: "Accepted: the rest happens in the background.",
    204: "Done; no body.",
}


def answers(
    *statuses: int, model: type | None = None, media_type: str = content_types.APPLICATION_JSON
) -> dict[int, Any]:
    """A route's success responses for the OpenAPI document, with the pydantic `model` of the body
    where one is declared (errors are added for every route when the document is built:
    fitconnect_local.openapi). The fuzzer checks every answer against it."""
    if model is not None:
        shape: dict[str, Any] = {"model": model}
    else:
        shape = {"schema": {"type": "object"} if "json" in media_type else {"type": "string"}}
    return {
        status: {"description": SUCCESS[status]}
        if status == 204
        else {"description": SUCCESS[status], "content": {media_type: shape}}
        for status in statuses
    }


class Api(APIGatewayHttpResolver):
    """An HTTP API resolver with FitConnect's error model, caller identity and idempotency."""

    def __init__(self, *, role: Role | None = "member", public: bool = False, validate_requests: bool = True):
        """`role`: the least role a caller needs for every route of this function (deny by default);
        `public=True`: anonymous callers are served too. Validation (pydantic request models) costs
        ~200 ms of cold start; a function whose routes take no body or typed parameters turns it off."""
        super().__init__(enable_validation=validate_requests)
        self.role: Role | None = None if public else role
        self.exception_handler(ApiError)(_on_api_error)
        self.exception_handler(RequestValidationError)(_on_request_validation_error)
        self.exception_handler(ValidationException)(_on_request_validation_error)
        self.exception_handler(NotFoundError)(_on_route_not_found)
        self.exception_handler(Exception)(_on_unexpected_error)

    def caller(self, role: Role | None = None) -> Caller:
        """The authenticated caller, who must hold at least `role` (default: the function's role)."""
        return require_role(caller_from_event(self.current_event.raw_event), role or self.role or "member")

    def admit(self, event: dict[str, Any]) -> None:
        """Refuse (401/403) a caller below the function's role, before routing or validation."""
        if self.role is not None:
            require_role(caller_from_event(event), self.role)

    def client_ip(self) -> str:
        """The caller's address as API Gateway saw the connection (not a header a client can set)."""
        return str(self.current_event.request_context.http.source_ip or "unknown")

    def public_base_url(self) -> str:
        """This API's base URL as the caller reached it (for links such as calendar feeds)."""
        domain = str(self.current_event.request_context.domain_name or "localhost")
        local = domain.split(":")[0] in {"127.0.0.1", "localhost"}
        return f"{'http' if local else 'https'}://{domain}"

    def idempotent(self, route: Callable[..., Response]) -> Callable[..., Response]:
        """Replay the first response for a repeated `Idempotency-Key` (same caller, route and body)."""
        # Lazy for cold start: the idempotency module builds its DynamoDB persistence layer on import.
        from fitconnect.platform.idempotency import replay_by_idempotency_key

        @functools.wraps(route)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            return replay_by_idempotency_key(
                self.current_event, self.lambda_context, lambda: route(*args, **kwargs)
            )

        return wrapper


def http_handler(app: Api) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point for an API function: observability around `app.resolve`."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            app.admit(event)
        except ApiError as refusal:
            return error_result(refusal.status, refusal.code, refusal.message, refusal.headers)
        if body_size(event) > MAX_BODY_BYTES:
            message = f"The request body exceeds {MAX_BODY_BYTES // 1024} KiB."
            return error_result(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "payload_too_large", message)
        if not _json_body(event):
            message = "Send the request body as application/json."
            return error_result(HTTPStatus.BAD_REQUEST, "unsupported_content_type", message)
        too_long = [
            name
            for name, value in (event.get("pathParameters") or {}).items()
            if len(value) > MAX_PATH_PARAMETER_CHARS
        ]
        if too_long:
            limit = f"at most {MAX_PATH_PARAMETER_CHARS} characters"
            details = [{"field": name, "in": "path", "message": limit} for name in too_long]
            return error_result(
                HTTPStatus.BAD_REQUEST, "validation_failed", "An id in the path is too long.", details=details
            )
        if json_depth(event.get("body") or "", event.get("isBase64Encoded", False)) > MAX_JSON_DEPTH:
            message = f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
            return error_result(HTTPStatus.BAD_REQUEST, "malformed_json", message)
        return _with_default_headers(app.resolve(event, context), event)

    return handler


def _with_default_headers(result: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """Every answer: `nosniff`. An answer to a signed-in caller may carry their personal data, so no
    cache may keep it (`no-store`) unless the route said otherwise."""
    headers = result.get("headers") or {}
    present = {name.lower() for name in headers}
    headers.setdefault("X-Content-Type-Options", "nosniff")
    context = ((event.get("requestContext") or {}).get("authorizer") or {}).get("lambda") or {}
    if context.get("user_id") and "cache-control" not in present:
        headers["Cache-Control"] = "no-store"
    result["headers"] = headers
    return result


def error_result(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """An error answered outside the resolver (before routing, or by a function without routes)."""
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": content_types.APPLICATION_JSON,
            "X-Content-Type-Options": "nosniff",
            **(headers or {}),
        },
        "body": _compact_json(error_body(code, message, details)),
    }


def _json_body(event: dict[str, Any]) -> bool:
    """Whether the body (if any) is JSON; one without a Content-Type is taken as JSON."""
    headers = event.get("headers")
    if not event.get("body") or not isinstance(headers, dict):
        return True
    content_type = headers.get("content-type")
    if content_type is None:
        headers["content-type"] = content_types.APPLICATION_JSON
        return True
    return "json" in content_type.lower()


def json_depth(body: str, base64_encoded: bool = False) -> int:
    """How deep a JSON text nests, counted before any parser sees it (strings skipped, so a `[`
    inside one does not count); malformed text gets a depth too and fails parsing later."""
    if base64_encoded:
        import base64
        import binascii

        try:
            body = base64.b64decode(body).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return 0  # not base64: the resolver's parsing refuses it
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", body)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def body_size(event: dict[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return len(body) * 3 // 4
    return len(body.encode())


def _compact_json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


def _on_api_error(error: ApiError) -> Response:
    if error.status >= 500:  # a provider we depend on is down (ServiceUnavailable): worth an alarm
        logger.warning("dependency unavailable", extra={"code": error.code})
    return json_response(error.status, error.body(), error.headers)


def request_invalid(error: Any) -> RequestValidationError:
    """A pydantic `ValidationError` of a body a handler parses itself, as the resolver's own 400."""
    return RequestValidationError(
        [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]
    )


def _on_request_validation_error(error: ValidationException) -> Response:
    problems = list(error.errors())
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error_response(400, "malformed_json", "The request body is not valid JSON.")
    if any(problem.get("type") == "unsupported_content_type" for problem in problems):
        return error_response(400, "unsupported_content_type", "Send the request body as application/json.")
    details = [_field_problem(problem) for problem in problems]
    names = ", ".join(detail["field"] for detail in details)
    return error_response(400, "validation_failed", f"Some fields are missing or invalid: {names}.", details)


def _field_problem(problem: dict[str, Any]) -> dict[str, Any]:
    location = [str(part) for part in problem.get("loc", ())]
    # "body" / "query" / "path" lead the location; clients want the field name itself.
    source = (
        location[0] if location and location[0] in {"body", "query", "path", "header", "cookie"} else "body"
    )
    field = ".".join(location[1:] if location and location[0] == source else location) or source
    message = problem.get("msg") or problem.get("type", "invalid value").replace("_", " ")
    return {"field": field, "in": source, "message": message, "type": problem.get("type")}


def _on_route_not_found(_: NotFoundError) -> Response:
    return error_response(404, "route_not_found", "No such route.")


def _on_unexpected_error(error: Exception) -> Response:
    if _refused_start_key(error):
        # A well-formed cursor whose key does not fit the index (hand-made): the caller's fault.
        details = [{"field": "cursor", "in": "query", "message": "not a cursor this list returned"}]
        return error_response(400, "invalid_cursor", "The cursor is not valid for this list.", details)
    logger.exception("unhandled error in route", extra={"error_type": type(error).__name__})
    metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
    return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")


def _refused_start_key(error: BaseException | None) -> bool:
    """Whether DynamoDB refused a query's ExclusiveStartKey somewhere in `error`'s chain."""
    while error is not None:
        response = getattr(error, "response", None)
        if isinstance(response, dict):
            failure = response.get("Error") or {}
            message = str(failure.get("Message", "")).lower()
            if failure.get("Code") == "ValidationException" and ("start" in message and "key" in message):
                return True
        error = error.__cause__ or error.__context__
    return False
