"""GET /me/insights — the caller's training analysed: weekly totals, load and ACWR, monotony and
strain, streak, records, sets per muscle and recommendations with the figures they rest on."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from fitconnect.coaching import insights
from fitconnect.coaching.insights import DEFAULT_WEEKS, MAX_WEEKS, InsightsView
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()
Weeks = Annotated[int, Query(ge=1, le=MAX_WEEKS, description="Weeks of totals, this one included.")]


@app.get("/me/insights", responses=answers(200, model=InsightsView))
def my_insights(weeks: Weeks = DEFAULT_WEEKS):
    return json_response(200, insights.insights(app.caller().user_id, weeks))


handler = http_handler(app)
