"""POST /me/purchases — buy a product: a PaymentIntent (pack) or a Subscription (membership); the
entitlement starts when Stripe's webhook says paid."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import purchases
from fitconnect.pricing.purchases import PurchaseRequest, PurchaseView

app = Api()


@app.post("/me/purchases", responses=answers(201, model=PurchaseView))
@app.idempotent
def create_purchase(body: PurchaseRequest):
    return json_response(201, purchases.view(purchases.buy(app.caller().user_id, body)))


handler = http_handler(app)
