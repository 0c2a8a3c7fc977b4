"""POST /trainers — a member applies to become a trainer (pending until an admin approves)."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import trainers
from fitconnect.scheduling.trainers import TrainerApplication

app = Api()


@app.post("/trainers", responses=answers(201, model=trainers.TrainerView))
@app.idempotent
def apply(body: TrainerApplication):
    trainer = trainers.apply(app.caller().user_id, body)
    return json_response(201, trainers.view(trainer))


handler = http_handler(app)
