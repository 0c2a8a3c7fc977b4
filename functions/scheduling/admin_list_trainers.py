"""GET /admin/trainers — applications by status (`?status=pending` by default, or `approved`)."""

from fitconnect.platform.errors import BadRequest
from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import trainers

app = Api(role="admin", validate_requests=False)


@app.get("/admin/trainers")
def list_applications():
    query = app.current_event.query_string_parameters or {}
    status = query.get("status", "pending")
    if status not in trainers.STATUSES:
        raise BadRequest(
            "status must be pending or approved.",
            code="validation_failed",
            details=[{"field": "status", "in": "query", "message": "pending or approved"}],
        )
    return json_response(200, trainers.listing(status, query))


handler = http_handler(app)
