"""POST /sessions — a trainer (or an admin for them) publishes a session, or a weekly series."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import sessions
from fitconnect.scheduling.sessions import NewSession

app = Api(role="trainer")


@app.post("/sessions", responses=answers(201))
@app.idempotent
def create_session(body: NewSession):
    caller = app.caller()
    published = sessions.publish_sessions(caller.user_id, caller.is_admin, body)
    if body.recurrence is None:
        return json_response(201, sessions.view(published[0]))
    return json_response(201, {"items": [sessions.view(session) for session in published]})


handler = http_handler(app)
