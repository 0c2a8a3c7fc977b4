"""GET /trainers/{trainer_id}/reviews — a trainer's reviews, newest first."""

from fitconnect.platform.cursors import Cursor, Limit, page, page_request
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import attendance

app = Api(public=True)


@app.get("/trainers/<trainer_id>/reviews", responses=answers(200))
def list_reviews(trainer_id: str, limit: Limit = None, cursor: Cursor = None):
    request = page_request(limit, cursor, bound_to={"pk": {"S": f"TRAINER#{trainer_id}"}})
    items, last_key = attendance.reviews_of(trainer_id, request.limit, request.start_key)
    return json_response(200, page([attendance.review_view(item) for item in items], last_key))


handler = http_handler(app)
