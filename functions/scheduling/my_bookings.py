"""GET /me/bookings — the caller's bookings, newest first."""

from fitconnect.platform.cursors import Cursor, Limit, Page, members_page
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import bookings

app = Api()


@app.get("/me/bookings", responses=answers(200, model=Page[bookings.BookingView]))
def my_bookings(limit: Limit = None, cursor: Cursor = None):
    return json_response(
        200, members_page(limit, cursor, bookings.Booking, app.caller().user_id, bookings.view)
    )


handler = http_handler(app)
