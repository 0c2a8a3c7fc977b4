"""POST /admin/trainers/{trainer_id}/approve — the application is approved; the user becomes a trainer."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import trainers

app = Api(role="admin", validate_requests=False)


@app.post("/admin/trainers/<trainer_id>/approve", responses=answers(200, model=trainers.TrainerView))
def approve(trainer_id: str):
    admin = app.caller()
    return json_response(200, trainers.view(trainers.approve(trainer_id, admin.user_id)))


handler = http_handler(app)
