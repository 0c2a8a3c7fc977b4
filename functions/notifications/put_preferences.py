"""PUT /me/notification-preferences — replaces the caller's preferences (validated)."""

from fitconnect.notifications import notifications, preferences
from fitconnect.notifications.preferences import NotificationPreferences
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.put("/me/notification-preferences", responses=answers(200))
def put_preferences(body: NotificationPreferences):
    user_id = app.caller().user_id
    before = preferences.preferences_of(user_id).reminder_leads_min
    saved = preferences.save(user_id, body)
    if sorted(saved.reminder_leads_min) != sorted(before):
        notifications.reschedule_member(user_id, saved.reminder_leads_min)
    return json_response(200, saved.model_dump())


handler = http_handler(app)
