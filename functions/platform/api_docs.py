"""GET /openapi.json, GET /docs and GET /docs/{asset} — the API's OpenAPI 3.1 document (built from
the code: `python -m fitconnect_local.openapi`) and its interactive page, Swagger UI from the
Powertools package in the layer (no CDN). Static, public and without any AWS permission."""

from importlib.util import find_spec
from pathlib import Path

from aws_lambda_powertools.event_handler import Response, content_types

from fitconnect.platform.errors import NotFound
from fitconnect.platform.http import Api, answers, http_handler

app = Api(public=True)
DOCUMENT = (Path(__file__).parent / "openapi.json").read_text()
SWAGGER_UI = "aws_lambda_powertools.event_handler.openapi.swagger_ui"
# The package's folder without importing it: its __init__ builds Powertools' OpenAPI models (~90 ms),
# which only the HTML page needs.
ASSET_DIR = Path(find_spec(SWAGGER_UI).submodule_search_locations[0])
ASSETS = {"swagger-ui-bundle.min.js": "application/javascript", "swagger-ui.min.css": "text/css"}
CACHED = {"Cache-Control": "public, max-age=300"}


@app.get("/openapi.json", responses=answers(200))
def openapi_document():
    return Response(200, content_types.APPLICATION_JSON, DOCUMENT, CACHED)


@app.get("/docs", responses=answers(200, media_type="text/html"))
def docs_page():
    # The page is rare next to the document: cold start of /openapi.json without the page builder.
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    spec = DOCUMENT.replace("</", "<\\/")  # the document sits in a <script>: no early end tag
    page = generate_swagger_html(
        spec, "/docs/swagger-ui-bundle.min.js", "/docs/swagger-ui.min.css", "/docs", None, False
    )
    return Response(200, "text/html; charset=utf-8", page, CACHED)


@app.get("/docs/<asset>", responses=answers(200, media_type="application/javascript"))
def docs_asset(asset: str):
    if asset not in ASSETS:
        raise NotFound("No such file.", code="not_found")
    return Response(
        200,
        ASSETS[asset],
        (ASSET_DIR / asset).read_text(encoding="utf-8"),
        {"Cache-Control": "public, max-age=86400"},
    )


handler = http_handler(app)
