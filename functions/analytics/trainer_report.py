"""GET /trainers/me/report — the trainer's own sessions, fill rate, rating and earnings over
`?from=&to=` (days, UTC; the last 30 by default)."""

from fitconnect.analytics import reports
from fitconnect.analytics.reports import FromDay, ToDay, TrainerReportView
from fitconnect.platform import clock
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="trainer")


@app.get("/trainers/me/report", responses=answers(200, model=TrainerReportView))
def trainer_report(since: FromDay = None, until: ToDay = None):
    first, last = reports.period(since, until, clock.now().date())
    return json_response(200, reports.trainer_report(app.caller().user_id, first, last))


handler = http_handler(app)
