"""GET /me/activities — the caller's activities, newest first; `?from=&to=` (by start), `?type=`."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from fitconnect.coaching import activities
from fitconnect.coaching.activities import ActivityType, ActivityView
from fitconnect.platform.contract import Instant
from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()
From = Annotated[Instant | None, Query(alias="from", description="Started at or after.")]
To = Annotated[Instant | None, Query(alias="to", description="Started at or before.")]
Type = Annotated[ActivityType | None, Query(alias="type", description="One type of activity.")]


@app.get("/me/activities", responses=answers(200, model=Page[ActivityView]))
def my_activities(
    since: From = None, until: To = None, kind: Type = None, limit: Limit = None, cursor: Cursor = None
):
    listing = activities.listing(
        app.caller().user_id, since=since, until=until, kind=kind, limit=limit, cursor=cursor
    )
    return json_response(200, listing)


handler = http_handler(app)
