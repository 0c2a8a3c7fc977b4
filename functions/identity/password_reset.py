"""POST /auth/password/reset — the e-mailed code sets a new password and signs out everywhere."""

from fitconnect.identity import reset, throttle
from fitconnect.identity.bodies import ResetPasswordBody
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True)


@app.post("/auth/password/reset", responses=answers(204))
def reset_password(body: ResetPasswordBody):
    with throttle.client_attempt(app.client_ip()):
        reset.reset(body.email, body.code, body.new_password, app.client_ip())
    return json_response(204, None)


handler = http_handler(app)
