"""GET /me/payments — the caller's payments, newest first, with their refunds."""

from fitconnect.payments import payments
from fitconnect.platform.cursors import Cursor, Limit, Page, members_page
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.get("/me/payments", responses=answers(200, model=Page[payments.PaymentView]))
def my_payments(limit: Limit = None, cursor: Cursor = None):
    return json_response(
        200, members_page(limit, cursor, payments.Payment, app.caller().user_id, payments.view)
    )


handler = http_handler(app)
