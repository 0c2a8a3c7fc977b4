"""The OpenAPI document is the code's: rebuilt from every function's resolver, it matches the
committed one, covers exactly the templates' routes, and documents every error in API.md's shape."""

import json

import pytest

from fitconnect_local.openapi import DOCUMENT, build, http_functions, rendered


@pytest.fixture(scope="module")
def document():
    return json.loads(DOCUMENT.read_text())


def test_the_committed_document_is_the_one_the_code_builds():
    assert DOCUMENT.read_text() == rendered(), "run: python -m fitconnect_local.openapi (make openapi)"


def test_the_document_and_the_templates_have_the_same_routes(template, document):
    in_templates = {
        (method.lower(), path) for routes in http_functions(template).values() for method, path, _ in routes
    }
    documented = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert documented == in_templates
    assert len(documented) >= 57


def test_routes_behind_the_authorizer_say_so_and_public_ones_do_not(template, document):
    for routes in http_functions(template).values():
        for method, path, authenticated in routes:
            operation = document["paths"][path][method.lower()]
            assert ("security" in operation) == authenticated, (method, path)
            assert "token" in operation["responses"]["401"]["description"] or not authenticated


def test_every_operation_documents_its_errors_in_the_api_shape(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "404", "413", "500"} <= set(responses), (method, path)
            errors = [status for status in responses if status >= "400"]
            for status in errors:
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
            assert any(status < "300" for status in responses), (method, path)
    error = document["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message", "details"]


def test_bodies_and_parameters_come_from_the_models(document):
    create = document["paths"]["/sessions"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NewSession"
    }
    session = document["components"]["schemas"]["NewSession"]
    assert session["additionalProperties"] is False
    assert session["properties"]["capacity"]["maximum"] == 500
    assert session["properties"]["starts_at"]["format"] == "date-time"
    listing = {
        parameter["name"]: parameter for parameter in document["paths"]["/sessions"]["get"]["parameters"]
    }
    assert {"from", "to", "kind", "trainer_id", "limit", "cursor"} <= set(listing)
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_build_needs_no_aws(template):
    assert build(template)["openapi"] == "3.1.0"


def test_operation_ids_are_unique_and_links_lead_to_operations(document):
    operations = [operation for operations in document["paths"].values() for operation in operations.values()]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    links = [
        link
        for operation in operations
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) >= 10
    assert {link["operationId"] for link in links} <= set(ids)
