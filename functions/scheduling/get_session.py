"""GET /sessions/{session_id} — one session with seats left, waitlist length and status."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import sessions

app = Api(public=True, validate_requests=False)


@app.get("/sessions/<session_id>", responses=answers(200, model=sessions.SessionView))
def get_session(session_id: str):
    return json_response(200, sessions.view(sessions.session_of(session_id)))


handler = http_handler(app)
