"""GET /admin/users — every account, newest first (`?role=`, `?limit=`, `?cursor=`)."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from fitconnect.identity import accounts
from fitconnect.platform.cursors import Cursor, Limit, Page, page, page_request
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="admin")
RoleFilter = Annotated[Literal["member", "trainer", "admin"] | None, Query(description="Only this role.")]


@app.get("/admin/users", responses=answers(200, model=Page[accounts.AccountView]))
def list_users(role: RoleFilter = None, limit: Limit = None, cursor: Cursor = None):
    request = page_request(limit, cursor, bound_to={"gsi1pk": {"S": "ACCOUNTS"}})  # DynamoDB-typed key
    items, last_key = accounts.list_accounts(request.limit, request.start_key, role)
    return json_response(200, page([accounts.public_view(item) for item in items], last_key))


handler = http_handler(app)
