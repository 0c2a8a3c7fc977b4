"""POST /me/calendar-token — a new calendar feed URL; the old one stops working."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import calendar

app = Api(validate_requests=False)


@app.post("/me/calendar-token", responses=answers(200))
def replace_calendar_token():
    token = calendar.replace_token(app.caller().user_id)
    return json_response(200, {"calendar_url": calendar.calendar_url(app.public_base_url(), token)})


handler = http_handler(app)
