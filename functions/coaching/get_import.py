"""GET /me/imports/{import_id} — how one of the caller's imports went: pending, processing, done
with its counts, or failed with the reason."""

from fitconnect.coaching import imports
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/imports/<import_id>", responses=answers(200, model=imports.ImportView))
def get_import(import_id: str):
    return json_response(200, imports.status_of(app.caller().user_id, import_id))


handler = http_handler(app)
