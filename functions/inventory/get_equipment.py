"""GET /equipment/{equipment_id} — one machine (trainer+)."""

from fitconnect.inventory import equipment
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="trainer", validate_requests=False)


@app.get("/equipment/<equipment_id>", responses=answers(200, model=equipment.EquipmentView))
def get_equipment(equipment_id: str):
    return json_response(200, equipment.view(equipment.equipment_of(equipment_id)))


handler = http_handler(app)
