"""POST /auth/sso/{provider} — sign in with a configured provider's OIDC ID token."""

from fitconnect.identity import sso, throttle
from fitconnect.identity.bodies import SsoBody, TokenPairView
from fitconnect.members import public as members
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True)


@app.post("/auth/sso/<provider>", responses=answers(200, model=TokenPairView))
def sign_in(provider: str, body: SsoBody):
    with throttle.client_attempt(app.client_ip()):
        pair = sso.sign_in(provider, body.id_token, body.totp_code, app.client_ip(), members.new_profile)
    return json_response(200, pair.body(), {"Cache-Control": "no-store"})


handler = http_handler(app)
