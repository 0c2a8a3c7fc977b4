"""GET /me/integrations — the caller's fitness apps: connected or not, since when, what came in."""

from fitconnect.coaching import integrations
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/integrations", responses=answers(200, model=integrations.IntegrationsView))
def my_integrations():
    return json_response(200, integrations.listing(app.caller().user_id))


handler = http_handler(app)
