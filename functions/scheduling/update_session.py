"""PATCH /sessions/{session_id} — title, duration, capacity (never below the seats taken), place."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import session_changes, sessions
from fitconnect.scheduling.session_changes import SessionPatch
from fitconnect.scheduling.sessions import SessionView

app = Api(role="trainer")


@app.patch("/sessions/<session_id>", responses=answers(200, model=SessionView))
def update_session(session_id: str, body: SessionPatch):
    session = session_changes.update(app.caller(), session_id, body)
    return json_response(200, sessions.view(session))


handler = http_handler(app)
