"""POST /auth/logout — end the login (token family) of the given refresh token and of the access
token used: both stop working (the access token within the authorizer's 60 s cache)."""

from fitconnect.identity import tokens
from fitconnect.identity.bodies import RefreshBody
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.post("/auth/logout", responses=answers(204))
def logout(body: RefreshBody):
    caller = app.caller()
    tokens.revoke_by_token(caller.user_id, body.refresh_token)
    if caller.session_id:
        tokens.revoke_family(caller.user_id, caller.session_id, reason="logout")
    return json_response(204, None)


handler = http_handler(app)
