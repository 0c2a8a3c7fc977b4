"""DELETE /sessions/{session_id} — cancel the session; its bookings are cancelled and refunded."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import session_changes, sessions

app = Api(role="trainer", validate_requests=False)


@app.delete("/sessions/<session_id>", responses=answers(200, model=sessions.SessionView))
def cancel_session(session_id: str):
    session = session_changes.cancel(app.caller(), session_id)
    return json_response(200, sessions.view(session))


handler = http_handler(app)
