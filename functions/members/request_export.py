"""POST /me/export — start an export of everything the caller owns (ready a little later)."""

from fitconnect.members import personal_data
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.post("/me/export", responses=answers(202))
@app.idempotent
def request_export():
    export = personal_data.request_export(app.caller().user_id)
    return json_response(202, {"export_id": export.export_id, "status": export.status})


handler = http_handler(app)
