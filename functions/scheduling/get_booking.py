"""GET /bookings/{booking_id} — for its member, the session's trainer or an admin (404 for others)."""

from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import bookings
from fitconnect.scheduling.sessions import session_of

app = Api(validate_requests=False)


@app.get("/bookings/<booking_id>")
def get_booking(booking_id: str):
    booking = bookings.booking_for(app.caller(), booking_id)
    return json_response(200, bookings.view(booking, session=session_of(booking.session_id)))


handler = http_handler(app)
