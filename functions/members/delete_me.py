"""DELETE /me — erase the caller's personal data (GDPR); other contexts cancel and refund."""

from fitconnect.members import personal_data
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(validate_requests=False)


@app.delete("/me", responses=answers(202))
def delete_me():
    personal_data.request_erasure(app.caller().user_id)
    return json_response(202, {"status": "erasure_requested"})


handler = http_handler(app)
