"""POST /trainers/{trainer_id}/reviews — a member who attended reviews the trainer, once per booking."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import attendance
from fitconnect.scheduling.attendance import ReviewRequest

app = Api()


@app.post("/trainers/<trainer_id>/reviews", responses=answers(201))
def create_review(trainer_id: str, body: ReviewRequest):
    return json_response(201, attendance.review_view(attendance.review(app.caller(), trainer_id, body)))


handler = http_handler(app)
