"""POST /auth/password/forgot — always 202; a reset code is e-mailed when the account exists."""

from fitconnect.identity import reset
from fitconnect.identity.bodies import ForgotPasswordBody
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(public=True)


@app.post("/auth/password/forgot")
def forgot(body: ForgotPasswordBody):
    reset.forgot(body.email)
    return json_response(202, {"status": "accepted"})


handler = http_handler(app)
