"""POST /sessions/{session_id}/bookings — a seat (confirmed, or held for payment) or a waitlist place."""

from fitconnect.payments import public as payments
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import bookings

app = Api(validate_requests=False)


@app.post("/sessions/<session_id>/bookings", responses=answers(201, model=bookings.BookingView))
@app.idempotent
def create_booking(session_id: str):
    booking = bookings.book(session_id, app.caller().user_id)
    answer = bookings.view(booking)
    if booking.status == "pending_payment":
        answer["payment"] = payments.checkout(payments.start_for_new_booking(booking))
    return json_response(201, answer)


handler = http_handler(app)
