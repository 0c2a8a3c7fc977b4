"""POST /admin/promo-codes — percent or amount off, for some products, dates and redemption limits."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import promos
from fitconnect.pricing.promos import PromoRequest, PromoView

app = Api(role="admin")


@app.post("/admin/promo-codes", responses=answers(201, model=PromoView))
@app.idempotent
def create_promo_code(body: PromoRequest):
    return json_response(201, promos.view(promos.create(body)))


handler = http_handler(app)
