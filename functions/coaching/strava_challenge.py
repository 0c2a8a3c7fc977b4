"""GET /webhooks/strava — Strava validating the push subscription: `hub.challenge` echoed when
`hub.verify_token` is ours, else 403."""

from fitconnect.coaching import strava_sync
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)


@app.get("/webhooks/strava", responses=answers(200))
def strava_challenge():
    query = dict(app.current_event.query_string_parameters or {})
    return json_response(200, strava_sync.challenge(query))


handler = http_handler(app)
