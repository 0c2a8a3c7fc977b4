"""POST /admin/products — a membership or a class pack for sale (a Product, and a Plan, at Stripe)."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import catalog
from fitconnect.pricing.catalog import ProductRequest, ProductView

app = Api(role="admin")


@app.post("/admin/products", responses=answers(201, model=ProductView))
@app.idempotent
def create_product(body: ProductRequest):
    return json_response(201, catalog.view(catalog.create(body)))


handler = http_handler(app)
