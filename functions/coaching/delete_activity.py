"""DELETE /me/activities/{activity_id} — the activity leaves the log and every figure."""

from fitconnect.coaching import activities
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.delete("/me/activities/<activity_id>", responses=answers(204))
def delete_activity(activity_id: str):
    activities.delete(app.caller().user_id, activity_id)
    return json_response(204, None)


handler = http_handler(app)
