"""GET /.well-known/jwks.json — the public keys that verify access tokens (current and previous)."""

from fitconnect.identity.keys import public_jwks
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)


@app.get("/.well-known/jwks.json", responses=answers(200))
def jwks():
    return json_response(200, public_jwks(max_age_s=60), {"Cache-Control": "public, max-age=300"})


handler = http_handler(app)
