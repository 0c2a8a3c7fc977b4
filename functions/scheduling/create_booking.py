"""POST /sessions/{session_id}/bookings — a seat (confirmed, or held for payment) or a waitlist place;
a priced class is paid by an entitlement that covers it (`pay_with`) or held for a card payment."""

from typing import Annotated, Literal

from pydantic import Field, ValidationError

from fitconnect.payments import public as payments
from fitconnect.platform.contract import ItemId, RequestBody
from fitconnect.platform.http import Api, answers, http_handler, json_response, request_invalid
from fitconnect.scheduling import bookings

app = Api(validate_requests=False)  # the optional body is parsed below: no validation layer at cold start


class BookingRequest(RequestBody):
    pay_with: Annotated[
        Literal["auto", "card"] | ItemId,
        Field(description='"auto" (a membership, then the pack expiring first), "card" or an entitlement id'),
    ] = "auto"


class NewBookingView(bookings.BookingView):
    payment: payments.CheckoutView | None = Field(
        default=None, description="A held seat's payment, for Stripe.js (pending_payment only)."
    )


@app.post("/sessions/<session_id>/bookings", responses=answers(201, model=NewBookingView))
@app.idempotent
def create_booking(session_id: str, body: BookingRequest | None = None):
    request = _request()
    booking = bookings.book(session_id, app.caller().user_id, request.pay_with)
    answer = bookings.view(booking)
    if booking.status == "pending_payment":
        answer["payment"] = payments.checkout(payments.start_for_new_booking(booking))
    return json_response(201, answer)


def _request() -> BookingRequest:
    raw = app.current_event.decoded_body
    if not raw or not raw.strip():
        return BookingRequest()  # v1 clients send no body
    try:
        return BookingRequest.model_validate_json(raw)
    except ValidationError as error:
        raise request_invalid(error) from None


handler = http_handler(app)
