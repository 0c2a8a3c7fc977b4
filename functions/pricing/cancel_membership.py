"""POST /me/entitlements/{entitlement_id}/cancel — the caller's membership ends at its period end."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import lifecycle

app = Api(validate_requests=False)


@app.post("/me/entitlements/<entitlement_id>/cancel", responses=answers(200))
@app.idempotent
def cancel_membership(entitlement_id: str):
    return json_response(200, lifecycle.cancel(app.caller().user_id, entitlement_id))


handler = http_handler(app)
