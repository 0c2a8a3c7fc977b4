"""GET /me/payments — the caller's payments, newest first."""

from fitconnect.payments import payments
from fitconnect.platform.cursors import members_page
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(validate_requests=False)


@app.get("/me/payments")
def my_payments():
    query = app.current_event.query_string_parameters
    return json_response(200, members_page(query, payments.Payment, app.caller().user_id, payments.view))


handler = http_handler(app)
