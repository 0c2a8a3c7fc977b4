"""GET /trainers — approved trainers by name; `?specialty=`, `?q=` (words in name, bio, specialties)."""

from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import trainers
from fitconnect.scheduling.trainers import SearchText, SpecialtyFilter

app = Api(public=True)


@app.get("/trainers", responses=answers(200, model=Page[trainers.TrainerView]))
def list_trainers(
    q: SearchText = None, specialty: SpecialtyFilter = None, limit: Limit = None, cursor: Cursor = None
):
    return json_response(
        200, trainers.listing("approved", text=q, specialty=specialty, limit=limit, cursor=cursor)
    )


handler = http_handler(app)
