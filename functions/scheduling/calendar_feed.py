"""GET /calendar/{token}.ics — the member's confirmed bookings as iCalendar (anyone with the token)."""

from aws_lambda_powertools.event_handler import Response

from fitconnect.platform.errors import NotFound
from fitconnect.platform.http import Api, answers, http_handler
from fitconnect.scheduling import calendar

app = Api(public=True, validate_requests=False)


@app.get("/calendar/<calendar_file>", responses=answers(200, media_type="text/calendar"))
def calendar_feed(calendar_file: str):
    token, dot, extension = calendar_file.rpartition(".")
    if not dot or extension != "ics" or not token:
        raise NotFound("No such calendar.", code="calendar_not_found")
    headers = {"Cache-Control": "private, max-age=300"}
    return Response(200, "text/calendar; charset=utf-8", calendar.feed(token).decode(), headers)


handler = http_handler(app)
