"""POST /auth/login — e-mail + password (+ TOTP code when MFA is on) → access and refresh token."""

from fitconnect.identity import accounts, throttle
from fitconnect.identity.bodies import LoginBody, TokenPairView
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True)
NO_STORE = {"Cache-Control": "no-store"}


@app.post("/auth/login", responses=answers(200, model=TokenPairView))
def login(body: LoginBody):
    with throttle.client_attempt(app.client_ip()):
        pair = accounts.login(body.email, body.password, body.totp_code, app.client_ip())
    return json_response(200, pair.body(), NO_STORE)


handler = http_handler(app)
