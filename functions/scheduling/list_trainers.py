"""GET /trainers — approved trainers by name; `?specialty=`, `?q=` (words in name, bio, specialties)."""

from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import trainers

app = Api(public=True, validate_requests=False)


@app.get("/trainers")
def list_trainers():
    return json_response(200, trainers.listing("approved", app.current_event.query_string_parameters))


handler = http_handler(app)
