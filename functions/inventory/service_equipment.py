"""POST /equipment/{equipment_id}/service — maintenance done: usage since service starts again."""

from fitconnect.inventory import equipment
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="admin", validate_requests=False)


@app.post("/equipment/<equipment_id>/service", responses=answers(200, model=equipment.EquipmentView))
def record_service(equipment_id: str):
    return json_response(200, equipment.view(equipment.record_service(equipment_id)))


handler = http_handler(app)
