"""POST /bookings/{booking_id}/feedback — its member, after attending: `{rating 1..5, comment}`."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import attendance
from fitconnect.scheduling.attendance import Rating

app = Api()


@app.post("/bookings/<booking_id>/feedback", responses=answers(201))
def leave_feedback(booking_id: str, body: Rating):
    booking = attendance.leave_feedback(app.caller(), booking_id, body)
    feedback = booking.feedback
    return json_response(
        201, {"booking_id": booking_id, "rating": int(feedback.rating), "comment": feedback.comment}
    )


handler = http_handler(app)
