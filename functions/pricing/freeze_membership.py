"""POST /me/entitlements/{entitlement_id}/freeze `{from, until}` — nothing covered, billing paused,
the period end moved by the frozen days."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import lifecycle
from fitconnect.pricing.lifecycle import FreezeRequest

app = Api()


@app.post("/me/entitlements/<entitlement_id>/freeze", responses=answers(200))
@app.idempotent
def freeze_membership(entitlement_id: str, body: FreezeRequest):
    return json_response(200, lifecycle.freeze(app.caller().user_id, entitlement_id, body))


handler = http_handler(app)
