"""POST /auth/password/forgot — always 202. The request is queued and handled off the request path
(send_reset_code), so the answer takes the same time whether or not the account exists."""

from fitconnect.identity import reset, throttle
from fitconnect.identity.bodies import ForgotPasswordBody
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True)


@app.post("/auth/password/forgot", responses=answers(202))
def forgot(body: ForgotPasswordBody):
    with throttle.client_attempt(app.client_ip(), always_counts=True):
        reset.queue_request(body.email)
    return json_response(202, {"status": "accepted"})


handler = http_handler(app)
