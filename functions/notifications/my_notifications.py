"""GET /me/notifications — the caller's notification log, newest first."""

from fitconnect.notifications import notifications
from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/notifications")
def my_notifications():
    user_id = app.caller().user_id
    request = page_request(
        app.current_event.query_string_parameters, bound_to={"gsi1pk": {"S": f"MEMBER#{user_id}"}}
    )
    items, last_key = notifications.my_notifications(user_id, request.limit, request.start_key)
    return json_response(200, page([notifications.view(item) for item in items], last_key))


handler = http_handler(app)
