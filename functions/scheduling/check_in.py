"""POST /bookings/{booking_id}/check-in — the session's trainer (or an admin) marks it attended."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import attendance, bookings

app = Api(role="trainer", validate_requests=False)


@app.post("/bookings/<booking_id>/check-in", responses=answers(200))
def check_in(booking_id: str):
    booking = attendance.check_in(app.caller(), booking_id)
    return json_response(200, bookings.view(booking, with_position=False))


handler = http_handler(app)
