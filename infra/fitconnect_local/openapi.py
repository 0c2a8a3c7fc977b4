"""The API's OpenAPI 3.1 document, built from the code: every HTTP function's Powertools resolver.

Each function serves its routes through its own resolver (one Lambda per route), so the document
is their merge: for every route of the templates, the function's module is imported with its
environment and its resolver's schema taken (paths, parameters, request bodies and their pydantic
models). Then what is the same for every route is added once: the bearer-token security scheme on
the routes behind the authorizer, API.md's error shape for every error a route can answer, and
tags by bounded context.

`python -m fitconnect_local.openapi` writes it to functions/platform/openapi.json, which the ApiDocs
function serves at GET /openapi.json (with the interactive page at GET /docs). A test rebuilds it
and fails when the committed document drifts from the code or from the templates' routes.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from fitconnect_local.apigw import Gateway
from fitconnect_local.functions import FunctionSpec, function_specs
from fitconnect_local.iam import load_policies
from fitconnect_local.inprocess import code_on_path
from fitconnect_local.template import Template, load_template

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "functions" / "platform" / "openapi.json"
TITLE = "FitConnect API"
VERSION = "2.0"

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$", "examples": ["validation_failed"]},
                "message": {"type": "string", "examples": ["Some fields are missing or invalid: capacity."]},
                "details": {
                    "oneOf": [{"type": "null"}, {"type": "array", "items": {"type": "object"}}],
                    "examples": [
                        [{"field": "capacity", "in": "body", "message": "Input should be a valid integer"}]
                    ],
                },
            },
        }
    },
}

# What any route may answer besides its success, and why.
COMMON_ERRORS = {
    "400": "Malformed JSON, a body that is not JSON, or invalid fields (`details` lists each).",
    "404": "No such route, or no such resource (or not yours).",
    "413": "The request body exceeds 256 KiB.",
    "500": "A bug on our side (logged); nothing the request could fix.",
}
AUTHENTICATED_ERRORS = {
    "401": "No access token, or one that is invalid, expired or from a login that ended.",
    "403": "The caller's role does not allow this, or the account is disabled.",
}
PUBLIC_ERRORS = {
    "401": "Credentials refused: a wrong password or code, an invalid token or signature.",
    "403": "The account is disabled.",
}
DOMAIN_ERRORS = {
    "409": "The request conflicts with the current state (taken, already done, full).",
    "422": "Well-formed but refused by a business rule (the code says which).",
    "429": "Too many attempts; retry after `Retry-After` seconds.",
    "503": "A provider we depend on did not answer; nothing changed, retry later.",
}


def http_functions(template: Template) -> dict[str, list[tuple[str, str, bool]]]:
    """function id -> its routes as (method, path, behind the authorizer), from the templates."""
    functions = function_specs(template)
    gateway = Gateway(template, functions, _never, _never, load_policies(template), lambda *_: None)
    routes: dict[str, list[tuple[str, str, bool]]] = {}
    for route in gateway.routes:
        if route.path != "$default":
            routes.setdefault(route.function_id, []).append(
                (route.method, route.path, route.authorizer is not None)
            )
    return routes


def build(template: Template) -> dict[str, Any]:
    functions = function_specs(template)
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "summary": "Book classes, pay, get reminders, run rosters and watch gym equipment.",
            "description": (
                'Every error has the shape `{"error": {"code", "message", "details"}}`. '
                "Send `Authorization: Bearer <access token>` from POST /auth/login; lists page with "
                "`limit` (1-100) and the opaque `cursor` from `next_cursor`."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {},
        "components": {
            "schemas": {"Error": ERROR_SCHEMA},
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
    for function_id, routes in sorted(http_functions(template).items()):
        spec = functions[function_id]
        schema = _resolver_schema(spec)
        _merge_schemas(
            document["components"]["schemas"], schema.get("components", {}).get("schemas", {}), spec
        )
        context = spec.code_dir.name
        for method, path, authenticated in routes:
            operation = schema["paths"][path][method.lower()]
            operation_id = function_id.removesuffix("Function")
            if len(routes) > 1:  # one function, several routes: each its own id
                operation_id += "".join(part.capitalize() for part in re.split(r"[^a-zA-Z]+", path) if part)
            document["paths"].setdefault(path, {})[method.lower()] = _finish(
                operation, operation_id, context, authenticated, spec
            )
    _link(document)
    for unused in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        document["components"]["schemas"].pop(unused, None)
    return document


def _merge_schemas(merged: dict[str, Any], more: dict[str, Any], spec: FunctionSpec) -> None:
    """One definition per schema name: two models of one name would silently replace each other."""
    for name, definition in more.items():
        if name in merged and merged[name] != definition:
            raise ValueError(f"{spec.logical_id}: a different model named {name} exists; rename one")
        merged[name] = definition


def _resolver_schema(spec: FunctionSpec) -> dict[str, Any]:
    module_name = spec.handler.rpartition(".")[0]
    environment = {"AWS_DEFAULT_REGION": "us-east-1", **spec.environment}
    with mock.patch.dict(os.environ, environment), code_on_path(spec):
        import importlib

        module = importlib.import_module(module_name)
        return module.app.get_openapi_schema(title=TITLE, version=VERSION).model_dump(
            mode="json", by_alias=True, exclude_none=True
        )


def _finish(
    operation: dict[str, Any], operation_id: str, context: str, authenticated: bool, spec: FunctionSpec
) -> dict[str, Any]:
    responses = {
        status: _without_body(status, response)
        for status, response in operation.get("responses", {}).items()
        if status != "422" or "HTTPValidationError" not in json.dumps(response)
    }
    errors = {**COMMON_ERRORS, **(AUTHENTICATED_ERRORS if authenticated else PUBLIC_ERRORS), **DOMAIN_ERRORS}
    for status, why in errors.items():
        responses.setdefault(status, {"description": why, "content": _error_content()})
    finished = {
        **operation,
        "operationId": operation_id,
        "tags": [context],
        "description": _docstring(spec),
        "responses": dict(sorted(responses.items())),
    }
    if authenticated:
        finished["security"] = [{"bearerAuth": []}]
    return finished


# What a created resource leads to: OpenAPI links, so that a client (and the fuzzer's stateful
# phase) can follow create -> read -> change -> delete with the id the answer carries.
LINKS = {
    ("post", "/sessions", "201"): (
        "session_id",
        ["GetSession", "UpdateSession", "CreateBooking", "SessionRoster", "CancelSession"],
    ),
    ("post", "/sessions/{session_id}/bookings", "201"): (
        "booking_id",
        ["GetBooking", "BookingFeedback", "CancelBooking"],
    ),
    ("post", "/equipment", "201"): ("equipment_id", ["GetEquipment", "ServiceEquipment", "EnrolEquipment"]),
    ("post", "/trainers", "201"): ("trainer_id", ["GetTrainer", "ListReviews"]),
    ("post", "/me/export", "202"): ("export_id", ["ExportStatus"]),
}


def _without_body(status: str, response: dict[str, Any]) -> dict[str, Any]:
    """A 204 has no body and so no media type (Powertools gives every response one)."""
    return (
        {key: value for key, value in response.items() if key != "content"} if status == "204" else response
    )


def _link(document: dict[str, Any]) -> None:
    for (method, path, status), (field, targets) in LINKS.items():
        response = document["paths"][path][method]["responses"][status]
        response["links"] = {
            target: {"operationId": target, "parameters": {field: f"$response.body#/{field}"}}
            for target in targets
        }


def _error_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _docstring(spec: FunctionSpec) -> str:
    source = (spec.code_dir / f"{spec.handler.rpartition('.')[0]}.py").read_text()
    return (ast.get_docstring(ast.parse(source)) or "").strip()


def _never(*_: Any) -> Any:
    raise RuntimeError("the OpenAPI builder invokes nothing")


def rendered(template_path: Path = ROOT / "template.yaml") -> str:
    template = load_template(template_path, parameters={"Stage": "local"})
    return json.dumps(build(template), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    DOCUMENT.write_text(rendered())
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
