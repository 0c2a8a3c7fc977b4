"""POST /auth/register — a new member account (argon2id password; e-mail unique), written with the
member's profile in one transaction."""

from fitconnect.identity import accounts
from fitconnect.identity.bodies import RegisterBody
from fitconnect.members import public as members
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True)


@app.post("/auth/register", responses=answers(201))
@app.idempotent
def register(body: RegisterBody):
    account = accounts.register(body.email, body.password, body.name, members.new_profile)
    return json_response(201, {"user_id": account.user_id})


handler = http_handler(app)
