"""POST /equipment/{equipment_id}/enrolment — the machine's IoT thing and certificate (admin).

The answer carries the certificate's private key, once: it is never stored (and, as every answer to a
signed-in caller, carries `Cache-Control: no-store`).
"""

from fitconnect.inventory import enrolment
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="admin", validate_requests=False)


@app.post("/equipment/<equipment_id>/enrolment", responses=answers(201))
def enrol_equipment(equipment_id: str):
    return json_response(201, enrolment.enrol(equipment_id))


handler = http_handler(app)
