"""GET /sessions/{session_id}/bookings — the roster, paged (`limit`, `cursor`), for the session's
trainer or an admin."""

from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.errors import NotFound
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import bookings
from fitconnect.scheduling.sessions import session_of

app = Api(role="trainer")


@app.get("/sessions/<session_id>/bookings", responses=answers(200, model=Page[bookings.RosterPlace]))
def roster(session_id: str, limit: Limit = None, cursor: Cursor = None):
    caller = app.caller()
    session = session_of(session_id)
    if not caller.is_admin and session.trainer_id != caller.user_id:
        raise NotFound("No such session.", code="session_not_found")
    return json_response(200, bookings.roster(session_id, limit, cursor))


handler = http_handler(app)
