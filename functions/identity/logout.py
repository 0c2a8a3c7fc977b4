"""POST /auth/logout — revoke the login (token family) of the given refresh token."""

from fitconnect.identity import tokens
from fitconnect.identity.bodies import RefreshBody
from fitconnect.platform.http import Api, http_handler, json_response

app = Api()


@app.post("/auth/logout")
def logout(body: RefreshBody):
    tokens.revoke_by_token(app.caller().user_id, body.refresh_token)
    return json_response(204, None)


handler = http_handler(app)
