"""POST /auth/refresh — spend a refresh token for a new pair (reuse revokes the login's family)."""

from fitconnect.identity import tokens
from fitconnect.identity.bodies import RefreshBody, TokenPairView
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True)
NO_STORE = {"Cache-Control": "no-store"}


@app.post("/auth/refresh", responses=answers(200, model=TokenPairView))
def refresh(body: RefreshBody):
    return json_response(200, tokens.refresh(body.refresh_token).body(), NO_STORE)


handler = http_handler(app)
