"""PATCH /me — name, timezone (IANA) and goals."""

from fitconnect.identity.public import account_of
from fitconnect.members import profiles
from fitconnect.members.profiles import ProfilePatch
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.scheduling import public as scheduling

app = Api()


@app.patch("/me", responses=answers(200, model=profiles.MeView))
def update_me(body: ProfilePatch):
    user_id = app.caller().user_id
    profile = profiles.update(profiles.profile_of(user_id), body)
    feed_url = scheduling.calendar_url(app.public_base_url(), scheduling.token_of(user_id))
    return json_response(200, profiles.me(account_of(user_id), profile, feed_url))


handler = http_handler(app)
