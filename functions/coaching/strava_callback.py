"""GET /integrations/strava/callback — where Strava sends the member's browser back: the state is
verified and claimed once, the code exchanged, the tokens stored encrypted. A browser (Accept:
text/html) gets a page saying so; any other client the connection as JSON, or the error."""

from aws_lambda_powertools.event_handler import Response

from fitconnect.coaching import integrations
from fitconnect.platform.errors import ApiError
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)


@app.get(integrations.CALLBACK_PATH, responses=answers(200, model=integrations.IntegrationView))
def strava_callback():
    query = dict(app.current_event.query_string_parameters or {})
    if "text/html" not in (app.current_event.headers.get("accept") or ""):
        return json_response(200, integrations.complete(query), {"Cache-Control": "no-store"})
    try:
        integrations.complete(query)
        status, message = 200, "New activities you record on Strava will appear in your FitConnect log."
    except ApiError as refused:
        status, message = refused.status, refused.message
    body, headers = integrations.page(status, message)
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body, headers=headers)


handler = http_handler(app)
