"""GET /me/notifications — the caller's notification log, newest first."""

from fitconnect.notifications import notifications
from fitconnect.platform.cursors import Cursor, Limit, members_page
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.get("/me/notifications", responses=answers(200))
def my_notifications(limit: Limit = None, cursor: Cursor = None):
    user_id = app.caller().user_id
    return json_response(
        200, members_page(limit, cursor, notifications.Notification, user_id, notifications.view)
    )


handler = http_handler(app)
