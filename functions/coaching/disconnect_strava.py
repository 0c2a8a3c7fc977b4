"""DELETE /me/integrations/strava — revoke FitConnect's access at Strava and stop importing;
the activities already imported stay."""

from fitconnect.coaching import integrations
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.delete("/me/integrations/strava", responses=answers(204))
def disconnect_strava():
    integrations.disconnect(app.caller().user_id)
    return json_response(204, None)


handler = http_handler(app)
