"""GET /equipment/recommendations — service due, anomalies, low batteries, under/over-use (trainer+)."""

from fitconnect.inventory.recommendations import EquipmentRecommendationsView, recommendations
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="trainer", validate_requests=False)


@app.get("/equipment/recommendations", responses=answers(200, model=EquipmentRecommendationsView))
def list_recommendations():
    return json_response(200, {"items": recommendations()})


handler = http_handler(app)
