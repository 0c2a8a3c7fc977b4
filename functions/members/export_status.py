"""GET /me/export/{export_id} — pending, or ready with a presigned download URL."""

from fitconnect.members import personal_data
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/export/<export_id>", responses=answers(200))
def export_status(export_id: str):
    view = personal_data.export_status(app.caller().user_id, export_id)
    return json_response(200, view)


handler = http_handler(app)
