"""GET /me/bookings — the caller's bookings, newest first."""

from fitconnect.platform.cursors import members_page
from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import bookings

app = Api(validate_requests=False)


@app.get("/me/bookings")
def my_bookings():
    query = app.current_event.query_string_parameters
    return json_response(200, members_page(query, bookings.Booking, app.caller().user_id, bookings.view))


handler = http_handler(app)
