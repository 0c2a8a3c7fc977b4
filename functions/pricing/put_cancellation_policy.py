"""PUT /admin/policies/cancellation — the policy penalties follow from now on."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import penalties
from fitconnect.pricing.penalties import PolicyRequest, PolicyView

app = Api(role="admin")


@app.put("/admin/policies/cancellation", responses=answers(200, model=PolicyView))
def put_cancellation_policy(body: PolicyRequest):
    return json_response(200, penalties.policy_view(penalties.set_policy(body)))


handler = http_handler(app)
