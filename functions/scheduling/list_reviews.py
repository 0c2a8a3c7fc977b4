"""GET /trainers/{trainer_id}/reviews — a trainer's reviews, newest first."""

from fitconnect.platform.cursors import page, page_request
from fitconnect.platform.http import Api, http_handler, json_response
from fitconnect.scheduling import attendance

app = Api(public=True, validate_requests=False)


@app.get("/trainers/<trainer_id>/reviews")
def list_reviews(trainer_id: str):
    query = app.current_event.query_string_parameters
    request = page_request(query, bound_to={"pk": {"S": f"TRAINER#{trainer_id}"}})
    items, last_key = attendance.reviews_of(trainer_id, request.limit, request.start_key)
    return json_response(200, page([attendance.review_view(item) for item in items], last_key))


handler = http_handler(app)
