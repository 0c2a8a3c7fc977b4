"""POST /me/integrations/strava — Strava's authorize URL for the caller, with a signed,
short-lived, single-use `state` bound to them."""

from fitconnect.coaching import integrations
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.post("/me/integrations/strava", responses=answers(200, model=integrations.AuthorizeView))
def connect_strava():
    authorization = integrations.authorize(app.caller().user_id, app.public_base_url())
    return json_response(200, authorization, {"Cache-Control": "no-store"})


handler = http_handler(app)
