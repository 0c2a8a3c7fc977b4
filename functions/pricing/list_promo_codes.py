"""GET /admin/promo-codes — every code with its redemptions so far, newest first, paged."""

from fitconnect.platform.cursors import Cursor, Limit, Page
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import promos
from fitconnect.pricing.promos import PromoView

app = Api(role="admin")


@app.get("/admin/promo-codes", responses=answers(200, model=Page[PromoView]))
def list_promo_codes(limit: Limit = None, cursor: Cursor = None):
    return json_response(200, promos.listing(limit, cursor))


handler = http_handler(app)
