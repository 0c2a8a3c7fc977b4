"""GET /sessions — sessions by start time: `?from=&to=` (default the next 30 days), `trainer_id`, `kind`."""

from fitconnect.platform.cursors import page_request
from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import sessions

app = Api(public=True, validate_requests=False)


@app.get("/sessions")
def list_sessions():
    query = app.current_event.query_string_parameters or {}
    limit = page_request({"limit": query["limit"]} if "limit" in query else {}, bound_to={}).limit
    return json_response(200, sessions.listing(query, limit))


handler = http_handler(app)
