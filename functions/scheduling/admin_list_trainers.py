"""GET /admin/trainers — applications by status (`?status=pending` by default, or `approved`)."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import trainers

app = Api(role="admin")
Status = Annotated[Literal["pending", "approved"], Query(description="Applications in this state.")]


@app.get("/admin/trainers", responses=answers(200, model=Page[trainers.TrainerView]))
def list_applications(status: Status = "pending", limit: Limit = None, cursor: Cursor = None):
    return json_response(200, trainers.listing(status, limit=limit, cursor=cursor))


handler = http_handler(app)
