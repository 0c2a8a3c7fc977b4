"""GET /me/notification-preferences — channels, quiet hours, reminder leads (defaults if never set)."""

from fitconnect.notifications import preferences
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/notification-preferences", responses=answers(200))
def get_preferences():
    return json_response(200, preferences.preferences_of(app.caller().user_id).model_dump())


handler = http_handler(app)
