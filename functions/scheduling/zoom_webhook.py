"""POST /webhooks/zoom — Zoom's URL validation and meeting started/ended, signature checked first."""

import json

from fitconnect.platform.errors import BadRequest
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import zoom, zoom_api

app = Api(public=True, validate_requests=False)


@app.post("/webhooks/zoom", responses=answers(200))
def zoom_webhook():
    body = app.current_event.decoded_body or ""
    zoom_api.verify_signature(app.current_event.headers, body)
    try:
        event = json.loads(body)
    except ValueError:
        raise BadRequest("The body is not JSON.", code="malformed_json") from None
    return json_response(200, zoom.handle_event(event))


handler = http_handler(app)
