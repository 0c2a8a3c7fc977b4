"""GET /me/entitlements — the caller's memberships and class packs, with what is left of each."""

from typing import Any

from pydantic import BaseModel

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import entitlements

app = Api(validate_requests=False)


class Entitlements(BaseModel):
    items: list[dict[str, Any]]


@app.get("/me/entitlements", responses=answers(200, model=Entitlements))
def my_entitlements():
    return json_response(200, {"items": entitlements.of_member(app.caller().user_id)})


handler = http_handler(app)
