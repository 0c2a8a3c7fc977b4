"""POST /admin/penalties/{penalty_id}/waive — refund a charged fee, give a forfeited credit back."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import penalties

app = Api(role="admin", validate_requests=False)


@app.post("/admin/penalties/<penalty_id>/waive", responses=answers(200, model=penalties.PenaltyView))
@app.idempotent
def waive_penalty(penalty_id: str):
    return json_response(200, penalties.view(penalties.waive(penalty_id)))


handler = http_handler(app)
