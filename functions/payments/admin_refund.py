"""POST /admin/payments/{payment_id}/refund — `{amount_cents?}`, full by default; applied once."""

from typing import Annotated

from pydantic import Field

from fitconnect.payments import payments
from fitconnect.platform.contract import RequestBody
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(role="admin")


class RefundRequest(RequestBody):
    amount_cents: Annotated[int, Field(ge=1, le=100_000_000)] | None = None


@app.post("/admin/payments/<payment_id>/refund", responses=answers(200, model=payments.AdminRefundView))
@app.idempotent
def admin_refund(payment_id: str, body: RefundRequest):
    return json_response(200, payments.admin_refund(payment_id, body.amount_cents))


handler = http_handler(app)
