"""GET /me/plan — the caller's plan, and the next workout with targets adapted to what they logged."""

from fitconnect.coaching import plans
from fitconnect.coaching.plans import PlanView
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/plan", responses=answers(200, model=PlanView))
def my_plan():
    return json_response(200, plans.current(app.caller().user_id))


handler = http_handler(app)
