"""GET /sessions — sessions by start time: `?from=&to=` (default the next 30 days), `trainer_id`, `kind`."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Query

from fitconnect.platform.contract import Instant, ItemId
from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import sessions

app = Api(public=True)
From = Annotated[Instant | None, Query(alias="from", description="Start of the range (default: now).")]
To = Annotated[Instant | None, Query(alias="to", description="End of the range (default: from + 30 days).")]
Kind = Annotated[Literal["in_person", "live"] | None, Query()]


@app.get("/sessions", responses=answers(200, model=Page[sessions.SessionView]))
def list_sessions(
    start: From = None,
    end: To = None,
    trainer_id: Annotated[ItemId | None, Query()] = None,
    kind: Kind = None,
    limit: Limit = None,
    cursor: Cursor = None,
):
    window = sessions.ListingFilter(start=start, end=end, trainer_id=trainer_id, kind=kind)
    return json_response(200, sessions.listing(window, limit, cursor))


handler = http_handler(app)
