"""GET /bookings/{booking_id} — for its member, the session's trainer or an admin (404 for others)."""

from fitconnect.payments import public as payments
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import bookings
from fitconnect.scheduling.sessions import session_of

app = Api(validate_requests=False)


@app.get("/bookings/<booking_id>", responses=answers(200, model=bookings.BookingView))
def get_booking(booking_id: str):
    caller = app.caller()
    booking = bookings.booking_for(caller, booking_id)
    answer = bookings.view(booking, session=session_of(booking.session_id))
    if booking.status == "pending_payment" and caller.user_id == booking.user_id:
        payment = payments.payment_of_booking(booking_id)  # how the member pays (a promoted waiter too)
        answer["payment"] = payments.checkout(payment) if payment else None
    return json_response(200, answer)


handler = http_handler(app)
