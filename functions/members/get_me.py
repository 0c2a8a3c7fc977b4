"""GET /me — the caller's profile, with the URL of their bookings' calendar feed."""

from fitconnect.identity.public import account_of
from fitconnect.members import profiles
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import public as scheduling

app = Api(validate_requests=False)


@app.get("/me", responses=answers(200, model=profiles.MeView))
def get_me():
    user_id = app.caller().user_id
    account, profile = account_of(user_id), profiles.profile_of(user_id)
    feed_url = scheduling.calendar_url(app.public_base_url(), scheduling.token_of(user_id))
    return json_response(200, profiles.me(account, profile, feed_url))


handler = http_handler(app)
