"""POST /auth/mfa/setup — a new TOTP secret and its otpauth:// URI (enabled once verified)."""

from fitconnect.identity import accounts, mfa
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.post("/auth/mfa/setup", responses=answers(200, model=mfa.MfaSetupView))
def setup():
    account = accounts.account_of(app.caller().user_id)
    return json_response(200, mfa.begin_setup(account))


handler = http_handler(app)
