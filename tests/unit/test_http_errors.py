"""The error model of API.md, through a real Powertools resolver built with the shared `Api`."""

import json

import pytest
from pydantic import BaseModel, Field

from fitconnect.platform.errors import Conflict, NotFound, TooManyRequests
from fitconnect.platform.http import MAX_BODY_BYTES, Api, http_handler, json_response
from tests.support.http_events import api_event, response_json


class NewThing(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    count: int = Field(ge=1, le=10)


app = Api(public=True)  # routes check the caller themselves where they need one
calls: list[str] = []


@app.post("/things")
def create_thing(thing: NewThing):
    calls.append(thing.name)
    if thing.name == "taken":
        raise Conflict("That name is taken.", code="name_taken")
    return json_response(201, {"name": thing.name, "count": thing.count})


@app.get("/things/<thing_id>")
def get_thing(thing_id: str):
    caller = app.caller("member")
    if thing_id != caller.user_id:
        raise NotFound("No such thing.")
    return {"thing_id": thing_id}


@app.get("/admin-only")
def admin_only():
    app.caller("admin")
    return {"ok": True}


@app.get("/busy")
def busy():
    raise TooManyRequests("Slow down.", retry_after_s=30, code="too_many_attempts")


@app.get("/bug")
def bug():
    raise KeyError("oops")


handler = http_handler(app)


@pytest.fixture(autouse=True)
def _reset_calls():
    calls.clear()


def call(event, context):
    response = handler(event, context)
    return response["statusCode"], response_json(response), response.get("headers", {})


def test_valid_body_reaches_the_route(lambda_context):
    status, body, _ = call(api_event("POST", "/things", body={"name": "mat", "count": 2}), lambda_context)
    assert (status, body) == (201, {"name": "mat", "count": 2})


def test_each_bad_field_is_listed_with_a_human_message(lambda_context):
    status, body, _ = call(api_event("POST", "/things", body={"name": "", "count": 11}), lambda_context)
    assert status == 400
    assert body["error"]["code"] == "validation_failed"
    fields = {detail["field"]: detail for detail in body["error"]["details"]}
    assert set(fields) == {"name", "count"}
    assert "at least 1 character" in fields["name"]["message"]
    assert "less than or equal to 10" in fields["count"]["message"]
    assert "name" in body["error"]["message"]
    assert calls == []


def test_missing_field_is_named(lambda_context):
    status, body, _ = call(api_event("POST", "/things", body={"name": "mat"}), lambda_context)
    assert status == 400
    assert [d["field"] for d in body["error"]["details"]] == ["count"]


def test_malformed_json_is_a_400_not_a_crash(lambda_context):
    status, body, _ = call(api_event("POST", "/things", raw_body='{"name": "mat",'), lambda_context)
    assert status == 400
    assert body["error"]["code"] == "malformed_json"
    assert calls == []


def test_body_above_256_kib_is_refused_before_parsing(lambda_context):
    big = json.dumps({"name": "x" * MAX_BODY_BYTES, "count": 1})
    status, body, _ = call(api_event("POST", "/things", raw_body=big), lambda_context)
    assert status == 413
    assert body["error"]["code"] == "payload_too_large"
    assert calls == []


def test_domain_conflict_keeps_its_code(lambda_context):
    status, body, _ = call(api_event("POST", "/things", body={"name": "taken", "count": 1}), lambda_context)
    assert status == 409
    assert body == {"error": {"code": "name_taken", "message": "That name is taken.", "details": None}}


def test_no_authorizer_context_is_401(lambda_context):
    status, body, _ = call(api_event("GET", "/things/u1", route="/things/{thing_id}"), lambda_context)
    assert status == 401
    assert body["error"]["code"] == "unauthorized"


def test_other_users_resource_is_404(lambda_context):
    event = api_event("GET", "/things/u2", route="/things/{thing_id}", caller=("u1", "member"))
    status, body, _ = call(event, lambda_context)
    assert status == 404
    assert body["error"]["code"] == "not_found"


def test_own_resource_is_200(lambda_context):
    event = api_event("GET", "/things/u1", route="/things/{thing_id}", caller=("u1", "member"))
    assert call(event, lambda_context)[:2] == (200, {"thing_id": "u1"})


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("trainer", 403), ("admin", 200)])
def test_roles_are_ordered(lambda_context, role, status):
    assert call(api_event("GET", "/admin-only", caller=("u1", role)), lambda_context)[0] == status


def test_unknown_role_is_not_trusted(lambda_context):
    assert call(api_event("GET", "/admin-only", caller=("u1", "superuser")), lambda_context)[0] == 401


def test_throttling_says_when_to_retry(lambda_context):
    status, body, headers = call(api_event("GET", "/busy"), lambda_context)
    assert status == 429
    assert body["error"]["details"] == [{"retry_after_s": 30}]
    assert headers["Retry-After"] == "30"


def test_unknown_route_is_a_json_404(lambda_context):
    status, body, _ = call(api_event("GET", "/nowhere"), lambda_context)
    assert status == 404
    assert body["error"]["code"] == "route_not_found"


def test_a_bug_is_a_500_without_internals_and_counted(lambda_context, capfd):
    status, body, _ = call(api_event("GET", "/bug"), lambda_context)
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "oops" not in json.dumps(body)
    assert '"UnhandledErrors":[1.0]' in capfd.readouterr().out  # the EMF metric an alarm can watch


private_app = Api()  # deny by default: no route of this app serves an anonymous caller


@private_app.get("/forgetful")
def forgetful_route():
    return {"secret": "never anonymous"}


private_handler = http_handler(private_app)


def _authorizer_verdict(event, context):
    event["requestContext"]["authorizer"] = {"lambda": context}
    return event


@pytest.mark.parametrize(
    ("verdict", "status", "code"),
    [
        (None, 401, "unauthorized"),
        (
            {"auth_error": "token_expired", "auth_message": "The access token has expired."},
            401,
            "token_expired",
        ),
        (
            {"auth_error": "account_disabled", "auth_message": "This account has been disabled."},
            403,
            "account_disabled",
        ),
    ],
)
def test_a_private_app_refuses_anonymous_callers_with_the_authorizers_reason(
    lambda_context, verdict, status, code
):
    event = api_event("GET", "/forgetful")
    if verdict:
        event = _authorizer_verdict(event, verdict)
    response = private_handler(event, lambda_context)
    assert response["statusCode"] == status
    assert response_json(response)["error"]["code"] == code
    assert "never anonymous" not in response["body"]


def test_a_private_app_serves_an_authenticated_caller(lambda_context):
    response = private_handler(api_event("GET", "/forgetful", caller=("u1", "member")), lambda_context)
    assert (response["statusCode"], response_json(response)) == (200, {"secret": "never anonymous"})


def test_a_form_body_is_refused_before_validation(lambda_context):
    event = api_event("POST", "/things", raw_body="name=mat&count=2")
    event["headers"]["content-type"] = "application/x-www-form-urlencoded"
    response = handler(event, lambda_context)
    assert response["statusCode"] == 400
    assert response_json(response)["error"]["code"] == "unsupported_content_type"
    assert calls == []


def test_a_body_without_content_type_is_read_as_json(lambda_context):
    event = api_event("POST", "/things", body={"name": "mat", "count": 2})
    del event["headers"]["content-type"]
    response = handler(event, lambda_context)
    assert (response["statusCode"], response_json(response)) == (201, {"name": "mat", "count": 2})


admin_app = Api(role="admin")  # the function's role is checked before the body is read


@admin_app.post("/machines")
def register_machine(machine: NewThing):
    calls.append(machine.name)
    return json_response(201, {"name": machine.name})


admin_handler = http_handler(admin_app)


@pytest.mark.parametrize(
    ("caller", "status"), [(None, 401), (("u1", "member"), 403), (("u1", "trainer"), 403)]
)
@pytest.mark.parametrize("body", [{}, {"name": 5}, None])
def test_a_caller_below_the_role_learns_nothing_of_the_schema(lambda_context, caller, status, body):
    event = api_event("POST", "/machines", body=body, caller=caller)
    response = admin_handler(event, lambda_context)
    error = response_json(response)["error"]
    assert (response["statusCode"], error["details"]) == (status, None)
    assert "name" not in error["message"]
    assert "count" not in error["message"]
    assert calls == []


def test_the_role_holder_gets_validation(lambda_context):
    response = admin_handler(api_event("POST", "/machines", body={}, caller=("a1", "admin")), lambda_context)
    assert response["statusCode"] == 400
    assert {detail["field"] for detail in response_json(response)["error"]["details"]} == {"name", "count"}


@pytest.mark.parametrize(
    "event",
    [
        api_event("POST", "/things", raw_body="{"),
        api_event("POST", "/things", raw_body="x" * (MAX_BODY_BYTES + 1)),
        api_event("GET", "/nowhere"),
        api_event("GET", "/admin-only", caller=("u1", "member")),
        api_event("GET", "/things/u1", route="/things/{thing_id}"),
        api_event("GET", "/bug"),
    ],
    ids=["malformed", "too-large", "no-route", "forbidden", "anonymous", "bug"],
)
def test_every_error_has_code_message_and_details(lambda_context, event):
    error = response_json(handler(event, lambda_context))["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["details"] is None or isinstance(error["details"], list)
