"""`Idempotency-Key` replays the first response, on the template's idempotency table (moto)."""

import os
from unittest import mock

import pytest
from pydantic import BaseModel

from tests.support.http_events import api_event, response_json


class Order(BaseModel):
    item: str


@pytest.fixture
def handler(aws):
    with mock.patch.dict(os.environ, {"IDEMPOTENCY_TABLE": aws.physical["IdempotencyTable"].ref}):
        from fitconnect.platform.http import Api, http_handler, json_response

        app = Api()
        created: list[str] = []

        @app.post("/orders")
        @app.idempotent
        def create_order(order: Order):
            created.append(order.item)
            return json_response(201, {"order_number": len(created), "item": order.item})

        yield http_handler(app), created


def post(handler, lambda_context, body, key=None, user="u1"):
    headers = {"Idempotency-Key": key} if key else {}
    response = handler(
        api_event("POST", "/orders", body=body, headers=headers, caller=(user, "member")), lambda_context
    )
    return response["statusCode"], response_json(response), response.get("headers", {})


def test_same_key_and_body_returns_the_first_response(handler, lambda_context):
    run, created = handler
    first = post(run, lambda_context, {"item": "mat"}, key="k-1")
    second = post(run, lambda_context, {"item": "mat"}, key="k-1")
    assert first[:2] == (201, {"order_number": 1, "item": "mat"})
    assert second[:2] == first[:2]
    assert second[2].get("Idempotent-Replayed") == "true"
    assert created == ["mat"]


def test_same_key_with_another_body_is_refused(handler, lambda_context):
    run, created = handler
    post(run, lambda_context, {"item": "mat"}, key="k-2")
    status, body, _ = post(run, lambda_context, {"item": "bike"}, key="k-2")
    assert status == 422
    assert body["error"]["code"] == "idempotency_key_reused"
    assert created == ["mat"]


def test_keys_are_scoped_to_the_caller(handler, lambda_context):
    run, created = handler
    post(run, lambda_context, {"item": "mat"}, key="shared", user="u1")
    post(run, lambda_context, {"item": "mat"}, key="shared", user="u2")
    assert created == ["mat", "mat"]


def test_without_a_key_every_request_runs(handler, lambda_context):
    run, created = handler
    post(run, lambda_context, {"item": "a"})
    post(run, lambda_context, {"item": "a"})
    assert created == ["a", "a"]


def test_an_overlong_key_is_a_400(handler, lambda_context):
    run, created = handler
    status, body, _ = post(run, lambda_context, {"item": "a"}, key="k" * 256)
    assert status == 400
    assert body["error"]["code"] == "invalid_idempotency_key"
    assert created == []


def test_a_rejected_request_is_not_remembered(handler, lambda_context):
    run, created = handler
    assert post(run, lambda_context, {"nope": 1}, key="k-3")[0] == 400
    assert post(run, lambda_context, {"item": "mat"}, key="k-3")[0] == 201
    assert created == ["mat"]
