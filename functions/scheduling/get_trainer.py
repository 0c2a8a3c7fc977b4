"""GET /trainers/{trainer_id} — an approved trainer's public profile with its rating."""

from fitconnect.platform.errors import NotFound
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import trainers

app = Api(public=True, validate_requests=False)


@app.get("/trainers/<trainer_id>", responses=answers(200, model=trainers.TrainerView))
def get_trainer(trainer_id: str):
    trainer = trainers.trainer_of(trainer_id)
    if trainer.status != "approved":
        raise NotFound("No such trainer.", code="trainer_not_found")
    return json_response(200, trainers.view(trainer))


handler = http_handler(app)
