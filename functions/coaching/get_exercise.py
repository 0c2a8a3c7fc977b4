"""GET /exercises/{exercise_id} — one exercise of the catalogue."""

from fitconnect.coaching import catalogue
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)


@app.get("/exercises/<exercise_id>", responses=answers(200, model=catalogue.ExerciseView))
def get_exercise(exercise_id: str):
    return json_response(
        200, catalogue.exercise(exercise_id), headers={"Cache-Control": "public, max-age=3600"}
    )


handler = http_handler(app)
