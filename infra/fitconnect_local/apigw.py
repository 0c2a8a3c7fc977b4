"""API Gateway HTTP API, as a local HTTP server: the `AWS::ApiGatewayV2::Api` of the templates
with every `AWS::ApiGatewayV2::Route` any stack attaches to it.

It builds payload format 2.0 events (path and query parameters, lower-cased headers, cookies,
base64 bodies for binary content), picks the most specific route as API Gateway does, runs the
Lambda REQUEST authorizer (identity sources, simple or IAM responses, result caching for
`AuthorizerResultTtlInSeconds`), answers CORS preflights from `CorsConfiguration`, and maps the
function's result back to HTTP. Errors the gateway itself makes (malformed HTTP, 413, 414, no route
without a `$default` route) use the API's error shape, `{"error": {"code", "message", "details"}}`:
deployed, API Gateway answers its own 10 MB and URL limits with `{"message"}` (docs/decisions.md 25).

Like API Gateway, it invokes a function or an authorizer only when a resource policy
(`AWS::Lambda::Permission`, in the translated templates) lets `apigateway.amazonaws.com` do so from
the route's or the authorizer's ARN; otherwise the caller gets a 500 and the log says which grant
is missing.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fitconnect_local.functions import FunctionSpec
from fitconnect_local.iam import Policies
from fitconnect_local.metrics import TextBody
from fitconnect_local.template import ACCOUNT_ID, REGION, Template, TemplateError
from fitconnect_local.web_client import web_client
from fitconnect_local.workers import Invocation

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's own limit; the app's 256 KiB limit is the app's
CONTROL_PREFIX = "/_local/"
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "+json",
    "+xml",
)

APIGATEWAY = "apigateway.amazonaws.com"
Invoke = Callable[[str, Any], Invocation]
Control = Callable[[str, str, dict[str, str], bytes], tuple[int, Any]]


@dataclass
class Authorizer:
    name: str
    authorizer_id: str
    function_id: str
    headers: list[str]
    query_strings: list[str]
    ttl_s: int
    simple_responses: bool
    cache: dict[tuple[str, ...], tuple[float, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Route:
    method: str
    path: str
    function_id: str
    authorizer: Authorizer | None
    pattern: re.Pattern[str]

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def specificity(self) -> tuple[int, int, int, int]:
        # API Gateway prefers literal segments over {params}, and {params} over {greedy+};
        # a route for the exact method over ANY.
        greedy = 2 if self.path == "$default" else int("+}" in self.path)  # $default: only if none else
        params = self.path.count("{")
        literal = len(re.sub(r"\{[^}]+\}", "", self.path))
        return (greedy, params, -literal, int(self.method == "ANY"))


@dataclass
class Cors:
    origins: list[str]
    methods: list[str]
    headers: list[str]
    expose: list[str]
    max_age: int | None
    credentials: bool

    def allow_origin(self, origin: str | None) -> str | None:
        if not origin:
            return None
        if "*" in self.origins:
            return "*" if not self.credentials else origin
        return origin if origin in self.origins else None


class Gateway:
    def __init__(
        self,
        template: Template,
        functions: dict[str, FunctionSpec],
        invoke: Invoke,
        control: Control,
        policies: Policies,
        log: Callable[[str, str], None],
    ) -> None:
        self.invoke = invoke
        self.control = control
        self.functions = functions
        self.policies = policies
        self.log = log
        self.api_id = ""
        self.routes: list[Route] = []
        self.cors: Cors | None = None
        self._load(template, functions)
        self.web = web_client(template)  # CloudFront's part: the built web client under /app/
        if self.web is not None:
            clash = [route.path for route in self.routes if self.web.owns(route.path)]
            if clash:
                raise TemplateError(f"routes {clash} are under the web client's path {self.web.prefix}")
        self.server: ThreadingHTTPServer | None = None

    # -- configuration from the templates
    def _load(self, template: Template, functions: dict[str, FunctionSpec]) -> None:
        if any(True for _ in template.each("AWS::Serverless::HttpApi")):
            raise TemplateError(
                "declare the API as AWS::ApiGatewayV2::Api with routes as resources (docs/decisions.md 20)"
            )
        apis = list(template.each("AWS::ApiGatewayV2::Api"))
        if len(apis) > 1:
            raise TemplateError("the local runtime serves one AWS::ApiGatewayV2::Api")
        if not apis:
            return
        api_stack, api_logical_id = apis[0]
        api = api_stack.resolve(api_stack.properties(api_logical_id))
        if api.get("ProtocolType") != "HTTP" or "Body" in api or "BodyS3Location" in api:
            raise TemplateError(f"{api_logical_id}: an HTTP API whose routes are resources is served locally")
        self.api_id = api_stack.physical[api_logical_id].ref
        self.cors = _cors(api.get("CorsConfiguration"))
        arn_to_function = {spec.arn: logical_id for logical_id, spec in functions.items()}
        authorizers = {
            stack.physical[logical_id].ref: _authorizer(stack, logical_id, arn_to_function)
            for stack, logical_id in template.each("AWS::ApiGatewayV2::Authorizer")
        }
        integrations = {
            stack.physical[logical_id].ref: (logical_id, stack.resolve(stack.properties(logical_id)))
            for stack, logical_id in template.each("AWS::ApiGatewayV2::Integration")
        }
        for stack, logical_id in template.each("AWS::ApiGatewayV2::Route"):
            props = stack.resolve(stack.properties(logical_id))
            if props.get("ApiId") != self.api_id:
                raise TemplateError(
                    f"{logical_id}: ApiId {props.get('ApiId')} is not the API of the templates"
                )
            route_key = str(props["RouteKey"])
            method, _, path = ("ANY", "", "$default") if route_key == "$default" else route_key.partition(" ")
            if path.startswith(CONTROL_PREFIX):
                raise TemplateError(f"{logical_id}: {CONTROL_PREFIX} is reserved for the local runtime")
            target = str(props.get("Target", ""))
            if not target.startswith("integrations/") or target.split("/", 1)[1] not in integrations:
                raise TemplateError(f"{logical_id}: Target {target!r} names no integration of the templates")
            function_id = _integration_function(*integrations[target.split("/", 1)[1]], arn_to_function)
            kind = props.get("AuthorizationType", "NONE")
            if kind not in ("NONE", "CUSTOM"):
                raise TemplateError(f"{logical_id}: AuthorizationType {kind} is not supported locally")
            authorizer = authorizers.get(str(props.get("AuthorizerId"))) if kind == "CUSTOM" else None
            if kind == "CUSTOM" and authorizer is None:
                raise TemplateError(f"{logical_id}: AuthorizerId names no authorizer of the templates")
            self.routes.append(Route(method.upper(), path, function_id, authorizer, _path_pattern(path)))
        self.routes.sort(key=Route.specificity)

    def permitted(self, function_id: str, source_arn: str) -> bool:
        """API Gateway's call is refused unless a resource policy lets it invoke the function."""
        name = self.functions[function_id].name
        if self.policies.may_invoke(name, APIGATEWAY, source_arn):
            return True
        self.log(
            function_id,
            f"[gateway] API Gateway may not invoke it from {source_arn}: no AWS::Lambda::Permission "
            f"grants lambda:InvokeFunction to {APIGATEWAY} for that source ARN",
        )
        return False

    def execute_arn(self, suffix: str) -> str:
        return f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{self.api_id}/{suffix}"

    # -- serving
    def serve(self, port: int) -> None:
        gateway = self

        class Handler(_RequestHandler):
            pass

        Handler.gateway = gateway
        self.server = _Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method not in (method, "ANY"):
                continue
            found = route.pattern.fullmatch(path)
            if found:
                return route, dict(found.groupdict())
        return None

    def flush_authorizer_cache(self) -> None:
        for route in self.routes:
            if route.authorizer is not None:
                with route.authorizer.lock:
                    route.authorizer.cache.clear()


def _path_pattern(path: str) -> re.Pattern[str]:
    if path == "$default":
        return re.compile(r".*")
    parts = []
    for segment in re.split(r"(\{[^}]+\})", path):
        if segment.startswith("{") and segment.endswith("+}"):
            parts.append(f"(?P<{segment[1:-2]}>.+)")
        elif segment.startswith("{"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("".join(parts))


def _cors(config: dict[str, Any] | bool | None) -> Cors | None:
    if not config:
        return None
    if config is True:
        config = {"AllowOrigins": ["*"], "AllowMethods": ["*"], "AllowHeaders": ["*"]}
    return Cors(
        origins=list(config.get("AllowOrigins") or []),
        methods=[m.upper() for m in config.get("AllowMethods") or []],
        headers=[h.lower() for h in config.get("AllowHeaders") or []],
        expose=[h.lower() for h in config.get("ExposeHeaders") or []],
        max_age=config.get("MaxAge"),
        credentials=bool(config.get("AllowCredentials")),
    )


def _integration_function(logical_id: str, props: dict[str, Any], arn_to_function: dict[str, str]) -> str:
    if props.get("IntegrationType") != "AWS_PROXY":
        raise TemplateError(f"{logical_id}: only AWS_PROXY (Lambda) integrations are served locally")
    if str(props.get("PayloadFormatVersion")) != "2.0":
        raise TemplateError(f"{logical_id}: only payload format 2.0 is supported locally")
    function_id = arn_to_function.get(lambda_arn(str(props.get("IntegrationUri"))))
    if function_id is None:
        raise TemplateError(f"{logical_id}: IntegrationUri must be a function of the templates")
    return function_id


def lambda_arn(uri: str) -> str:
    """A function ARN, given as it is or as API Gateway's `…/functions/<arn>/invocations` URI."""
    match = re.search(r"/functions/(arn:[^/]+)/invocations$", uri)
    return match.group(1) if match else uri


def _authorizer(stack: Template, logical_id: str, arn_to_function: dict[str, str]) -> Authorizer:
    config = stack.resolve(stack.properties(logical_id))
    if config.get("AuthorizerType") != "REQUEST":
        raise TemplateError(f"authorizer {logical_id}: only Lambda REQUEST authorizers are supported locally")
    function_id = arn_to_function.get(lambda_arn(str(config.get("AuthorizerUri"))))
    if function_id is None:
        raise TemplateError(f"authorizer {logical_id}: AuthorizerUri must name a function of the templates")
    if str(config.get("AuthorizerPayloadFormatVersion", "2.0")) != "2.0":
        raise TemplateError(f"authorizer {logical_id}: only payload format 2.0 is supported locally")
    sources = [str(source) for source in config.get("IdentitySource") or []]
    headers = [
        s.removeprefix("$request.header.").lower() for s in sources if s.startswith("$request.header.")
    ]
    queries = [
        s.removeprefix("$request.querystring.") for s in sources if s.startswith("$request.querystring.")
    ]
    if len(headers) + len(queries) != len(sources):
        raise TemplateError(f"authorizer {logical_id}: identity sources other than headers and query strings")
    ttl_s = int(config.get("AuthorizerResultTtlInSeconds", 300 if sources else 0))
    if ttl_s > 0 and not sources:
        raise TemplateError(f"authorizer {logical_id}: caching (a TTL above 0) needs an identity source")
    return Authorizer(
        name=str(config.get("Name", logical_id)),
        authorizer_id=stack.physical[logical_id].ref,
        function_id=function_id,
        headers=headers,
        query_strings=queries,
        ttl_s=ttl_s,
        simple_responses=bool(config.get("EnableSimpleResponses")),
    )


FAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "route_not_found",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_content_type",
    431: "headers_too_large",
    500: "internal_error",
}


def _fault(status: int, message: str) -> dict[str, Any]:
    """An error made by the gateway, in the API's shape."""
    return {"error": {"code": FAULT_CODES.get(status, "bad_request"), "message": message, "details": None}}


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a crowd arriving at once (a class opening) overflowed
    # it and clients saw connection resets on a busy machine. API Gateway takes them all.
    request_queue_size = 1024
    daemon_threads = True


class _RequestHandler(BaseHTTPRequestHandler):
    gateway: Gateway
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes on keep-alive connections: without TCP_NODELAY,
    # Nagle plus the client's delayed ACK add ~40 ms to every response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # functions log; the gateway stays quiet

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line over 64 KiB: 414, bad request lines, too many
        headers) answer JSON in the API's shape instead of an HTML page."""
        body = json.dumps(_fault(code, message or HTTPStatus(code).phrase)).encode()
        self.close_connection = True
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET  # noqa: N815

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, PROPFIND…) is routed like the rest: no route has it, so the
        # $default route answers, as API Gateway does; http.server alone would answer a 501.
        if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
            return self._handle
        raise AttributeError(name)

    def _handle(self) -> None:
        started = time.time()
        request_id = base64.urlsafe_b64encode(uuid.uuid4().bytes[:9]).decode()
        try:
            body = self._body()
        except _BadRequest as error:
            self.close_connection = True  # what is left of the body cannot be trusted
            self._reply(error.status, _fault(error.status, str(error)), request_id)
            return
        url = urlsplit(self.path)
        if url.path.startswith(CONTROL_PREFIX):
            self._control(url, body, request_id)
            return
        web = self.gateway.web
        if web is not None and self.command in ("GET", "HEAD") and web.owns(url.path):
            self._send(*web.answer(url.path), request_id, None)
            return
        cors = self.gateway.cors
        origin = self.headers.get("Origin")
        if cors and self.command == "OPTIONS" and self.headers.get("Access-Control-Request-Method"):
            self._preflight(cors, origin, request_id)
            return
        found = self.gateway.match(self.command, url.path)
        if found is None:
            self._reply(404, _fault(404, "No such route."), request_id)
            return
        route, path_params = found
        event = self._event(route, url.path, url.query, path_params, body, request_id, started)
        if route.authorizer is not None:
            denied = self._authorize(route, event)
            if denied is not None:
                self._reply(*denied, request_id)
                return
        if not self.gateway.permitted(
            route.function_id, self.gateway.execute_arn(f"$default/{self.command}{url.path}")
        ):
            self._reply(500, _fault(500, "Internal Server Error"), request_id)
            return
        outcome = self.gateway.invoke(route.function_id, event)
        status, headers, payload = _response(outcome)
        self._send(status, headers, payload, request_id, origin)

    def _body(self) -> bytes:
        """The request body, as API Gateway reads it: by Content-Length or chunked; anything else 400."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked_body()
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        if not raw.strip().isdigit():
            raise _BadRequest(400, "Bad Request: Content-Length is not a length")
        length = int(raw)
        if length > MAX_PAYLOAD_BYTES:
            raise _BadRequest(413, "Request Entity Too Large")
        return self.rfile.read(length) if length else b""

    def _chunked_body(self) -> bytes:
        chunks, total = [], 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise _BadRequest(400, "Bad Request: malformed chunk size") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers, then the blank line
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_PAYLOAD_BYTES:
                raise _BadRequest(413, "Request Entity Too Large")
            chunks.append(self.rfile.read(size))
            if self.rfile.read(2) != b"\r\n":
                raise _BadRequest(400, "Bad Request: malformed chunk")

    # -- /_local/: the developer's own tools, never a web page's
    def _control(self, url: Any, body: bytes, request_id: str) -> None:
        origin = self.headers.get("Origin")
        own = {
            f"http://127.0.0.1:{self.server.server_address[1]}",
            f"http://localhost:{self.server.server_address[1]}",
        }
        if origin is not None and origin not in own:
            # A page open in the developer's browser must not read the outbox (reset codes) or
            # invoke functions: no CORS headers here, and other origins are refused outright.
            self._send_json(403, _fault(403, "the local control routes refuse other origins"), request_id)
            return
        content_type = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if body and content_type != "application/json":
            self._send_json(
                415, _fault(415, "send the control routes JSON (Content-Type: application/json)"), request_id
            )
            return
        status, payload = self.gateway.control(self.command, url.path, dict(parse_qsl(url.query)), body)
        if status >= 400 and isinstance(payload, dict) and set(payload) == {"message"}:
            payload = _fault(status, str(payload["message"]))  # the control routes' errors in the API's shape
        if isinstance(payload, TextBody):  # /_local/metrics: Prometheus text
            self._send(
                status, {"Content-Type": payload.content_type}, payload.text.encode(), request_id, origin=None
            )
            return
        self._send_json(status, payload, request_id)

    def _send_json(self, status: int, payload: Any, request_id: str) -> None:
        body = b"" if status == 204 else json.dumps(payload).encode()
        self._send(status, {"Content-Type": "application/json"}, body, request_id, origin=None)

    # -- the event
    def _event(
        self,
        route: Route,
        path: str,
        query: str,
        path_params: dict[str, str],
        body: bytes,
        request_id: str,
        started: float,
    ) -> dict[str, Any]:
        return http_event(
            method=self.command,
            route_key=route.route_key,
            path=path,
            query=query,
            header_pairs=list(self.headers.items()),
            path_params=path_params,
            body=body,
            request_id=request_id,
            started=started,
            source_ip=self.client_address[0],
            protocol=self.request_version,
        )

    # -- the authorizer
    def _authorize(self, route: Route, event: dict[str, Any]) -> tuple[int, dict[str, str]] | None:
        authorizer = route.authorizer
        assert authorizer is not None
        sources = [event["headers"].get(name) for name in authorizer.headers] + [
            (event.get("queryStringParameters") or {}).get(name) for name in authorizer.query_strings
        ]
        # With identity sources, a missing one is a 401 without asking the authorizer; without any
        # (caching off), API Gateway asks the authorizer on every request.
        if any(value in (None, "") for value in sources):
            return 401, _fault(401, "Unauthorized")
        key = tuple(str(value) for value in sources)
        with authorizer.lock:
            cached = authorizer.cache.get(key) if key else None
        if cached and cached[0] > time.monotonic():
            decision = cached[1]
        else:
            decision = self._ask_authorizer(authorizer, route, event, key)
            if decision.get("error"):
                return (
                    (401, _fault(401, "Unauthorized"))
                    if decision["error"] == "Unauthorized"
                    else (500, _fault(500, "Internal Server Error"))
                )
            if authorizer.ttl_s > 0 and key:
                with authorizer.lock:
                    authorizer.cache[key] = (time.monotonic() + authorizer.ttl_s, decision)
        if not decision["allowed"]:
            return 403, _fault(403, "Forbidden")
        event["requestContext"]["authorizer"] = {"lambda": decision["context"]}
        return None

    def _ask_authorizer(
        self, authorizer: Authorizer, route: Route, event: dict[str, Any], identity: tuple[str, ...]
    ) -> dict[str, Any]:
        route_arn = self.gateway.execute_arn(f"$default/{self.command}{event['rawPath']}")
        request = {**event, "type": "REQUEST", "routeArn": route_arn, "identitySource": list(identity)}
        request.pop("body", None)
        request.pop("isBase64Encoded", None)
        if not self.gateway.permitted(
            authorizer.function_id, self.gateway.execute_arn(f"authorizers/{authorizer.authorizer_id}")
        ):
            return {"error": "not permitted"}
        outcome = self.gateway.invoke(authorizer.function_id, request)
        if not outcome.ok:
            return {"error": (outcome.error or {}).get("errorMessage") or "error"}
        result = outcome.result if isinstance(outcome.result, dict) else {}
        context = result.get("context") or {}
        if authorizer.simple_responses:
            return {"allowed": result.get("isAuthorized") is True, "context": context}
        return {"allowed": _policy_allows(result.get("policyDocument") or {}, route_arn), "context": context}

    # -- replies
    def _preflight(self, cors: Cors, origin: str | None, request_id: str) -> None:
        headers = {}
        allowed = cors.allow_origin(origin)
        if allowed:
            headers["Access-Control-Allow-Origin"] = allowed
            headers["Access-Control-Allow-Methods"] = ",".join(cors.methods)
            headers["Access-Control-Allow-Headers"] = ",".join(cors.headers)
            if cors.max_age is not None:
                headers["Access-Control-Max-Age"] = str(cors.max_age)
            if cors.credentials:
                headers["Access-Control-Allow-Credentials"] = "true"
        self._send(204, headers, b"", request_id, None)

    def _reply(self, status: int, payload: Any, request_id: str) -> None:
        body = b"" if status == 204 else json.dumps(payload).encode()
        self._send(status, {"Content-Type": "application/json"}, body, request_id, self.headers.get("Origin"))

    def _send(
        self, status: int, headers: dict[str, str], body: bytes, request_id: str, origin: str | None
    ) -> None:
        cors = self.gateway.cors
        allowed = cors.allow_origin(origin) if cors else None
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        if allowed:
            self.send_header("Access-Control-Allow-Origin", allowed)
            if cors and cors.expose:
                self.send_header("Access-Control-Expose-Headers", ",".join(cors.expose))
        self.send_header("apigw-requestid", request_id)
        if status in (204, 304):  # HTTP forbids a body here; API Gateway drops one
            body = b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def http_event(
    *,
    method: str,
    route_key: str,
    path: str,
    query: str = "",
    header_pairs: list[tuple[str, str]] | None = None,
    path_params: dict[str, str] | None = None,
    body: bytes = b"",
    request_id: str = "local-request",
    started: float | None = None,
    source_ip: str = "127.0.0.1",
    protocol: str = "HTTP/1.1",
) -> dict[str, Any]:
    """An HTTP API payload format 2.0 event, as API Gateway builds it from a request."""
    started = time.time() if started is None else started
    headers: dict[str, str] = {}
    for name, value in header_pairs or []:
        key = name.lower()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    cookies = [c.strip() for c in headers.pop("cookie", "").split(";") if c.strip()]
    query_params: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        query_params[name] = f"{query_params[name]},{value}" if name in query_params else value
    host = headers.get("host", "127.0.0.1")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "http": {
                "method": method,
                "path": path,
                "protocol": protocol,
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": datetime.fromtimestamp(started, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(started * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query_params:
        event["queryStringParameters"] = query_params
    if path_params:
        event["pathParameters"] = path_params
    if body:
        if _is_text(headers.get("content-type", "")):
            event["body"] = body.decode("utf-8", errors="replace")
        else:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


def _is_text(content_type: str) -> bool:
    content_type = content_type.lower()
    return not content_type or any(marker in content_type for marker in _TEXT_TYPES)


def _policy_allows(policy: dict[str, Any], route_arn: str) -> bool:
    statements = policy.get("Statement") or []
    verdicts = []
    for statement in statements if isinstance(statements, list) else [statements]:
        resources = statement.get("Resource") or []
        resources = resources if isinstance(resources, list) else [resources]
        if any(fnmatch.fnmatchcase(route_arn, pattern) for pattern in resources):
            verdicts.append(statement.get("Effect"))
    return "Allow" in verdicts and "Deny" not in verdicts


def _response(outcome: Invocation) -> tuple[int, dict[str, str], bytes]:
    """Map a function's result to HTTP as API Gateway does for payload format 2.0."""
    server_error = (
        500,
        {"Content-Type": "application/json"},
        json.dumps(_fault(500, "Internal Server Error")).encode(),
    )
    if not outcome.ok:
        return server_error
    result = outcome.result
    if not (isinstance(result, dict) and "statusCode" in result):
        # No statusCode: API Gateway infers 200 with the result as a JSON body.
        return 200, {"Content-Type": "application/json"}, json.dumps(result).encode()
    try:
        status = int(result["statusCode"])
    except (TypeError, ValueError):
        return server_error
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ",".join(str(v) for v in values)
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
    cookies = result.get("cookies") or []
    if cookies:
        headers["Set-Cookie"] = cookies[0]  # one header line per cookie is not expressible in a dict
    return status, headers, raw
