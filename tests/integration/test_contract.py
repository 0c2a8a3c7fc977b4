"""The contract's edges on the real template: no 5xx from any input, authorization before
validation, strict types, one error shape (API.md)."""

import base64
import json

import pytest
import requests

from tests.support.paths import TEMPLATE  # noqa: F401  (the platform fixture reads it)


def _body_routes(platform):
    routes = []
    for stack, logical_id in platform.template.each("AWS::ApiGatewayV2::Route"):
        key = stack.resolve(stack.properties(logical_id))["RouteKey"]
        method, _, path = key.partition(" ")
        if method in {"POST", "PUT", "PATCH"}:
            routes.append((method, path.replace("{", "").replace("}", "")))
    return routes


def test_json_nested_10000_deep_is_a_400_on_every_route_with_a_body(platform, admin):
    deep = "[" * 10_000 + "]" * 10_000
    routes = _body_routes(platform)
    assert len(routes) >= 25
    for method, path in routes:
        response = requests.request(
            method,
            platform.api_url + path,
            data=deep,
            headers={"Authorization": f"Bearer {admin}", "Content-Type": "application/json"},
            timeout=30,
        )
        assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed_json"), path


@pytest.mark.parametrize(
    ("method", "path", "token", "status"),
    [
        ("POST", "/equipment", None, 401),
        ("POST", "/equipment", "member", 403),
        ("POST", "/sessions", "member", 403),
        ("PATCH", "/admin/users/u1", "member", 403),
        ("POST", "/admin/payments/p1/refund", None, 401),
        ("PATCH", "/me", None, 401),
    ],
)
def test_a_caller_without_the_role_learns_nothing_of_the_schema(api, method, path, token, status):
    bearer = api.member()["access_token"] if token else None
    reply = api.call(method, path, {"unexpected": True}, token=bearer)
    assert reply.status == status
    assert reply.body["error"]["details"] is None


@pytest.fixture(scope="module")
def trainer_token(api, admin):
    return api.approved_trainer(admin)["access_token"]


SESSION = {
    "title": "Strict types",
    "starts_at": "2027-03-01T18:00:00Z",
    "duration_min": 60,
    "capacity": 10,
    "price_cents": 1500,
    "currency": "eur",
    "kind": "in_person",
    "location": "Studio 1",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": 1_800_000_000}, "starts_at"),  # a number is not a date-time
        ({"starts_at": "9999-12-31T23:59:59Z"}, "starts_at"),  # beyond the calendar we keep
        ({"starts_at": "1999-12-31T23:59:59Z"}, "starts_at"),
        ({"starts_at": "2027-03-01T18:00:00"}, "starts_at"),  # no offset
        ({"capacity": "10"}, "capacity"),  # no "10" -> 10
        ({"capacity": 10.5}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"currency": "xyz"}, "currency"),  # not a currency Stripe charges in
        ({"recurrence": {"freq": "weekly", "count": ["3"]}}, "recurrence.count"),
        ({"title": ["Strict"]}, "title"),
    ],
)
def test_strict_types_and_bounds_on_a_session(api, trainer_token, change, field):
    reply = api.post("/sessions", {**SESSION, **change}, token=trainer_token)
    assert (reply.status, reply.error_code) == (400, "validation_failed"), reply.body
    assert field in {detail["field"] for detail in reply.body["error"]["details"]}


def test_booleans_are_not_spelled(api):
    member = api.member()
    reply = api.put("/me/notification-preferences", {"email": "yes"}, token=member["access_token"])
    assert (reply.status, reply.body["error"]["details"][0]["field"]) == (400, "email")


@pytest.mark.parametrize(
    "query",
    [
        "from=9999-12-31T23:59:59Z",
        "from=0001-01-01T00:00:00Z",
        "to=9999-12-31T23:59:59%2B14:00",
        "from=2026-13-45T99:00:00Z",
        "trainer_id=" + "x" * 5000,
        "kind=%00",
    ],
)
def test_session_listing_edges_are_400s(api, query):
    reply = api.get(f"/sessions?{query}")
    assert reply.status == 400, reply.body
    assert set(reply.body["error"]) == {"code", "message", "details"}


def _cursor(value):
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


HAND_MADE = [
    _cursor([1, 2]),
    _cursor({"gsi1pk": {"S": "TRAINERS#approved"}, "pk": {"S": "TRAINER#x"}}),  # no sort key
    _cursor({"gsi1pk": {"S": "TRAINERS#approved"}, "pk": {"S": "T"}, "sk": {"N": "x"}}),
    _cursor({"gsi1pk": {"S": "TRAINERS#approved"}, "pk": 1, "sk": {"S": "x"}}),
    _cursor({"gsi1pk": {"S": "TRAINERS#approved"}, "pk": {"S": "T"}, "sk": {"S": "P"}}),  # no gsi1sk
    _cursor("[" * 1000),
    "%%%",
]


@pytest.mark.parametrize("cursor", HAND_MADE)
@pytest.mark.parametrize("path", ["/trainers", "/sessions", "/trainers/t1/reviews"])
def test_hand_made_cursors_are_400s(api, path, cursor):
    reply = api.get(f"{path}?cursor={cursor}")
    assert (reply.status, reply.error_code) == (400, "invalid_cursor"), reply.body


def test_an_overlong_cursor_is_refused_before_decoding(api):
    reply = api.get(f"/trainers?cursor={'A' * 5000}")
    assert (reply.status, reply.body["error"]["details"][0]["field"]) == (400, "cursor")


@pytest.mark.parametrize("query", ["q=" + "stretch " * 2000, "specialty=" + "y" * 500])
def test_very_long_search_strings_are_400s(api, query):
    reply = api.get(f"/trainers?{query}")
    assert (reply.status, reply.error_code) == (400, "validation_failed")


def test_a_session_is_published_at_most_400_days_ahead(api, trainer_token):
    reply = api.post("/sessions", {**SESSION, "starts_at": "2099-01-01T10:00:00Z"}, token=trainer_token)
    assert (reply.status, reply.error_code) == (422, "starts_too_far_ahead")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/sessions/{id}"),
        ("GET", "/trainers/{id}"),
        ("GET", "/trainers/{id}/reviews"),
        ("GET", "/bookings/{id}"),
        ("POST", "/sessions/{id}/bookings"),
        ("GET", "/equipment/{id}"),
        ("PATCH", "/admin/users/{id}"),
        ("GET", "/calendar/{id}"),
    ],
)
def test_an_id_of_any_length_in_the_path_is_never_a_5xx(api, admin, method, path):
    reply = api.call(method, path.replace("{id}", "x" * 3000), {} if method != "GET" else None, token=admin)
    assert reply.status in (400, 404), reply.body
    assert set(reply.body["error"]) == {"code", "message", "details"}
