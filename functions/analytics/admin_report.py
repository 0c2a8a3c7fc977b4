"""GET /admin/reports/{attendance|revenue|equipment} — lines by `?group_by=day|week|trainer|kind`
over `?from=&to=`; `?format=csv` for a spreadsheet."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from fitconnect.analytics import reports
from fitconnect.analytics.reports import FromDay, GroupBy, Report, ToDay
from fitconnect.inventory import public as inventory
from fitconnect.platform import clock
from fitconnect.platform.errors import NotFound
from fitconnect.platform.http import SUCCESS, Api, http_handler, json_response

app = Api(role="admin")
Grouping = Annotated[
    GroupBy, Query(description="One line per day, week (from Monday), trainer or session kind.")
]
Format = Annotated[
    Literal["json", "csv"], Query(alias="format", description="`csv`: a spreadsheet (text/csv).")
]


class ReportLinesView(BaseModel):
    report: str
    group_by: str
    items: list[dict[str, Any]]


RESPONSES = {
    200: {
        "description": SUCCESS[200],
        "content": {
            "application/json": {"model": ReportLinesView},
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


@app.get("/admin/reports/<report>", responses=RESPONSES)
def admin_report(
    report: str,
    since: FromDay = None,
    until: ToDay = None,
    group_by: Grouping = "day",
    shape: Format = "json",
):
    if report not in Report.__args__:
        raise NotFound("No such report: attendance, revenue or equipment.", code="report_not_found")
    first, last = reports.period(since, until, clock.now().date())
    usage = inventory.usage_by_kind_and_day() if report == "equipment" else None
    lines = reports.report(report, first, last, group_by, usage)
    if shape == "csv":
        name = f"{report}-{first.isoformat()}-{last.isoformat()}.csv"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(200, "text/csv; charset=utf-8", reports.as_csv(lines), headers)
    return json_response(200, {"report": report, "group_by": group_by, "items": lines})


handler = http_handler(app)
