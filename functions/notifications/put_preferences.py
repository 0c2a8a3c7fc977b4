"""PUT /me/notification-preferences — replaces the caller's preferences (validated)."""

from fitconnect.notifications import preferences
from fitconnect.notifications.preferences import NotificationPreferences
from fitconnect.platform.http import Api, http_handler, json_response

app = Api()


@app.put("/me/notification-preferences")
def put_preferences(body: NotificationPreferences):
    return json_response(200, preferences.save(app.caller().user_id, body).model_dump())


handler = http_handler(app)
