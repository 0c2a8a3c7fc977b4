"""GET /me/entitlements — the caller's memberships and class packs, with what is left of each."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import entitlements

app = Api(validate_requests=False)


@app.get("/me/entitlements", responses=answers(200, model=entitlements.EntitlementsView))
def my_entitlements():
    return json_response(200, {"items": entitlements.of_member(app.caller().user_id)})


handler = http_handler(app)
