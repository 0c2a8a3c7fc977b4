"""GET /me/activities/{activity_id} — one of the caller's activities."""

from fitconnect.coaching import activities
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/activities/<activity_id>", responses=answers(200, model=activities.ActivityView))
def get_activity(activity_id: str):
    return json_response(200, activities.view(activities.activity_of(app.caller().user_id, activity_id)))


handler = http_handler(app)
