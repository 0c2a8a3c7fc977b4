"""GET /integrations/strava/callback — where Strava sends the member's browser back: the state is
verified and claimed once, the code exchanged, the tokens stored encrypted."""

from fitconnect.coaching import integrations
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)


@app.get(integrations.CALLBACK_PATH, responses=answers(200, model=integrations.IntegrationView))
def strava_callback():
    query = {name: str(value) for name, value in (app.current_event.query_string_parameters or {}).items()}
    return json_response(200, integrations.complete(query), {"Cache-Control": "no-store"})


handler = http_handler(app)
