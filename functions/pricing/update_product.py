"""PATCH /admin/products/{product_id} — rename, archive (off sale; what was sold is untouched) or restore."""

from fitconnect.platform.http import Api, answers, http_handler, json_response
from fitconnect.pricing import catalog
from fitconnect.pricing.catalog import ProductChange, ProductView

app = Api(role="admin")


@app.patch("/admin/products/<product_id>", responses=answers(200, model=ProductView))
def update_product(product_id: str, body: ProductChange):
    catalog.update(product_id, body)
    return json_response(200, catalog.view(catalog.product_of(product_id)))


handler = http_handler(app)
