"""DELETE /bookings/{booking_id} — cancel (its member or an admin); the first waiter gets the seat."""

from fitconnect.platform.errors import NotFound
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import bookings

app = Api(validate_requests=False)


@app.delete("/bookings/<booking_id>", responses=answers(200, model=bookings.BookingView))
def cancel_booking(booking_id: str):
    caller = app.caller()
    booking = bookings.booking_for(caller, booking_id)
    if not caller.is_admin and booking.user_id != caller.user_id:
        raise NotFound("No such booking.", code="booking_not_found")  # the trainer reads, never cancels
    cancelled = bookings.cancel(booking)
    return json_response(200, bookings.view(cancelled, with_position=False))


handler = http_handler(app)
