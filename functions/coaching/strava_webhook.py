"""POST /webhooks/strava — an event of our subscription, queued once and answered at once (Strava
waits 2 s); the SyncStrava worker applies it."""

from fitconnect.coaching import strava_sync
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)


@app.post("/webhooks/strava", responses=answers(200))
def strava_webhook():
    strava_sync.receive(app.current_event.decoded_body or "")
    return json_response(200, {"received": True})


handler = http_handler(app)
