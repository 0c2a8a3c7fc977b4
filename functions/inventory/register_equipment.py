"""POST /equipment — an admin registers a machine (it shows `offline` until it first reports)."""

from fitconnect.inventory import equipment
from fitconnect.inventory.equipment import NewEquipment
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="admin")


@app.post("/equipment", responses=answers(201, model=equipment.EquipmentView))
@app.idempotent
def register_equipment(body: NewEquipment):
    return json_response(201, equipment.view(equipment.register(body)))


handler = http_handler(app)
