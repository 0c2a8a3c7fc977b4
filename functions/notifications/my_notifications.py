"""GET /me/notifications — the caller's notification log, newest first."""

from fitconnect.notifications import notifications
from fitconnect.platform.cursors import members_page
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/notifications")
def my_notifications():
    query = app.current_event.query_string_parameters
    return json_response(
        200, members_page(query, notifications.Notification, app.caller().user_id, notifications.view)
    )


handler = http_handler(app)
