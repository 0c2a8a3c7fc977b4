"""PATCH /me — name, timezone (IANA) and goals."""

from fitconnect.identity.accounts import account_of
from fitconnect.members import profiles
from fitconnect.members.profiles import ProfilePatch
from fitconnect.platform.http import Api, http_handler, json_response

app = Api()


@app.patch("/me")
def update_me(body: ProfilePatch):
    user_id = app.caller().user_id
    profile = profiles.update(profiles.profile_of(user_id), body)
    return json_response(200, profiles.me(account_of(user_id), profile))


handler = http_handler(app)
