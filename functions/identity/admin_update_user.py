"""PATCH /admin/users/{user_id} — change a user's role or disable / re-enable the account."""

from fitconnect.identity import accounts
from fitconnect.identity.bodies import AdminUserPatch
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="admin")


@app.patch("/admin/users/<user_id>", responses=answers(200, model=accounts.AccountView))
def update_user(user_id: str, body: AdminUserPatch):
    admin = app.caller()
    account = accounts.admin_update(admin.user_id, user_id, role=body.role, disabled=body.disabled)
    return json_response(200, accounts.public_view(account))


handler = http_handler(app)
