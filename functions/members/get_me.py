"""GET /me — the caller's profile."""

from fitconnect.identity.accounts import account_of
from fitconnect.members import profiles
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me")
def get_me():
    user_id = app.caller().user_id
    return json_response(200, profiles.me(account_of(user_id), profiles.profile_of(user_id)))


handler = http_handler(app)
