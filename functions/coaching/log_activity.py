"""POST /me/activities — log a strength or endurance session: its load and the records it set."""

from fitconnect.coaching import activities
from fitconnect.coaching.activities import LoggedActivityView, NewActivity
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.post("/me/activities", responses=answers(201, model=LoggedActivityView))
@app.idempotent
def log_activity(body: NewActivity):
    return json_response(201, activities.log(app.caller().user_id, body))


handler = http_handler(app)
