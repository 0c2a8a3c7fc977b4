"""GET /products — the memberships and class packs on sale (anyone)."""

from fitconnect.platform.cursors import Page
from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import catalog

app = Api(public=True, validate_requests=False)


@app.get("/products", responses=answers(200, model=Page[catalog.ProductView]))
def list_products():
    return json_response(200, {"items": catalog.for_sale(), "next_cursor": None})


handler = http_handler(app)
