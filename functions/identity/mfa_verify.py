"""POST /auth/mfa/verify — the first code from the authenticator app turns MFA on."""

from fitconnect.identity import accounts, mfa
from fitconnect.identity.bodies import MfaVerifyBody
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.post("/auth/mfa/verify", responses=answers(200, model=mfa.MfaVerifiedView))
def verify(body: MfaVerifyBody):
    account = accounts.account_of(app.caller().user_id)
    mfa.enable(account, body.code)
    return json_response(200, {"mfa_enabled": True})


handler = http_handler(app)
