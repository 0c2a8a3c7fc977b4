"""GET /admin/users — every account, newest first (`?role=`, `?limit=`, `?cursor=`)."""

from fitconnect.identity import accounts
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.errors import BadRequest
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(role="admin", validate_requests=False)
ROLES = {"member", "trainer", "admin"}


@app.get("/admin/users")
def list_users():
    query = app.current_event.query_string_parameters or {}
    role = query.get("role")
    if role is not None and role not in ROLES:
        raise BadRequest(
            "role must be member, trainer or admin.",
            code="validation_failed",
            details=[{"field": "role", "in": "query", "message": "member, trainer or admin"}],
        )
    request = page_request(query, bound_to={"gsi1pk": {"S": "ACCOUNTS"}})  # DynamoDB-typed key
    items, last_key = accounts.list_accounts(request.limit, request.start_key, role)
    return json_response(200, page([accounts.public_view(item) for item in items], last_key))


handler = http_handler(app)
