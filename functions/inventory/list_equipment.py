"""GET /equipment — every machine with its status, usage hours and last report (trainer+)."""

from fitconnect.inventory import equipment
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(role="trainer", validate_requests=False)


@app.get("/equipment")
def list_equipment():
    request = page_request(app.current_event.query_string_parameters, bound_to={"gsi1pk": {"S": "EQUIPMENT"}})
    items, last_key = equipment.listing(request.limit, request.start_key)
    return json_response(200, page([equipment.view(item) for item in items], last_key))


handler = http_handler(app)
