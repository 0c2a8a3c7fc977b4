"""GET /admin/reports/summary — bookings, fill rate, revenue, members and the top sessions and
trainers over `?from=&to=` (days, UTC; the last 30 by default)."""

from fitconnect.analytics import reports
from fitconnect.analytics.reports import FromDay, SummaryView, ToDay
from fitconnect.platform import clock
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="admin")


@app.get("/admin/reports/summary", responses=answers(200, model=SummaryView))
def report_summary(since: FromDay = None, until: ToDay = None):
    first, last = reports.period(since, until, clock.now().date())
    return json_response(200, reports.summary(first, last))


handler = http_handler(app)
