"""GET /exercises — the exercise catalogue by name; `?muscle=`, `?equipment=`, `?q=` (words in the name)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import StringConstraints

from fitconnect.coaching import catalogue
from fitconnect.platform.contract import SingleLine
from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True)

Name = Annotated[str, StringConstraints(max_length=40), SingleLine]
MuscleFilter = Annotated[Name | None, Query(description="A muscle it works (primary or secondary).")]
EquipmentFilter = Annotated[Name | None, Query(description="A piece of equipment it uses.")]
Words = Annotated[
    Annotated[str, StringConstraints(max_length=100), SingleLine] | None,
    Query(description="Words in the name."),
]


@app.get("/exercises", responses=answers(200, model=Page[catalogue.ExerciseView]))
def list_exercises(
    muscle: MuscleFilter = None, equipment: EquipmentFilter = None, q: Words = None, limit: Limit = None,
    cursor: Cursor = None,
):  # fmt: skip
    listing = catalogue.listing(muscle=muscle, equipment=equipment, q=q, limit=limit, cursor=cursor)
    return json_response(200, listing, headers=catalogue.CACHEABLE)


handler = http_handler(app)
