"""POST /sessions/{session_id}/bookings — a seat (confirmed, or held for payment) or a waitlist place."""

from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import bookings

app = Api(validate_requests=False)


@app.post("/sessions/<session_id>/bookings")
@app.idempotent
def create_booking(session_id: str):
    booking = bookings.book(session_id, app.caller().user_id)
    return json_response(201, bookings.view(booking))


handler = http_handler(app)
