"""GET /me/penalties — the caller's late cancels and no-shows of covered bookings, newest first."""

from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import penalties

app = Api()


@app.get("/me/penalties", responses=answers(200, model=Page[penalties.PenaltyView]))
def my_penalties(limit: Limit = None, cursor: Cursor = None):
    return json_response(200, penalties.of_member(app.caller().user_id, limit, cursor))


handler = http_handler(app)
