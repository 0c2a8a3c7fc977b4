"""GET /equipment — every machine with its status, usage hours and last report (trainer+)."""

from fitconnect.inventory import equipment
from fitconnect.platform.cursors import Cursor, Limit, Page, page, page_request
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="trainer")


@app.get("/equipment", responses=answers(200, model=Page[equipment.EquipmentView]))
def list_equipment(limit: Limit = None, cursor: Cursor = None):
    request = page_request(limit, cursor, bound_to={"gsi1pk": {"S": "EQUIPMENT"}})
    items, last_key = equipment.listing(request.limit, request.start_key)
    return json_response(200, page([equipment.view(item) for item in items], last_key))


handler = http_handler(app)
