"""GET /admin/policies/cancellation — late-cancel and no-show fees, free late cancels a month."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import penalties
from fitconnect.pricing.penalties import PolicyView

app = Api(role="admin", validate_requests=False)


@app.get("/admin/policies/cancellation", responses=answers(200, model=PolicyView))
def get_cancellation_policy():
    return json_response(200, penalties.policy_view(penalties.policy()))


handler = http_handler(app)
