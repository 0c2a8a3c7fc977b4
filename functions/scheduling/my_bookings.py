"""GET /me/bookings — the caller's bookings, newest first."""

from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import bookings

app = Api(validate_requests=False)


@app.get("/me/bookings")
def my_bookings():
    user_id = app.caller().user_id
    request = page_request(
        app.current_event.query_string_parameters, bound_to={"gsi1pk": {"S": f"MEMBER#{user_id}"}}
    )
    items, last_key = bookings.my_bookings(user_id, request.limit, request.start_key)
    return json_response(200, page([bookings.view(item) for item in items], last_key))


handler = http_handler(app)
