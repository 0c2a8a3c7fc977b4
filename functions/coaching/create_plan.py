"""POST /me/plan — a 4-week plan from the AI personal trainer (rule-based, reproducible, explained)."""

from fitconnect.coaching import plans
from fitconnect.coaching.plans import PlanRequest, PlanView
from fitconnect.inventory import public as inventory
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.post("/me/plan", responses=answers(201, model=PlanView))
@app.idempotent
def create_plan(body: PlanRequest):
    gym_equipment = inventory.equipment_kinds() if body.equipment is None else set()
    return json_response(201, plans.generate(app.caller().user_id, body, gym_equipment))


handler = http_handler(app)
