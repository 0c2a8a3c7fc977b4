"""POST /me/imports — a presigned S3 POST for one workout file (GPX, TCX, FIT or an Apple Health
export.zip) of a declared size; the upload starts the import."""

from fitconnect.coaching import imports
from fitconnect.coaching.imports import ImportRequest, StartedImportView
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api()


@app.post("/me/imports", responses=answers(201, model=StartedImportView))
@app.idempotent
def start_import(body: ImportRequest):
    return json_response(201, imports.start(app.caller().user_id, body), {"Cache-Control": "no-store"})


handler = http_handler(app)
