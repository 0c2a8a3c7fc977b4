"""GET /health — is every table, bucket, queue and the bus this function can reach answering?"""

from fitconnect.platform.health import checks_from_environment, run_checks
from fitconnect.platform.http import Api, http_handler, json_response

app = Api(public=True, validate_requests=False)  # no body, no parameters: skip pydantic
CHECKS = checks_from_environment()
NO_STORE = {"Cache-Control": "no-store"}


@app.get("/health")
def get_health():
    report = run_checks(CHECKS)
    if report.healthy:
        return json_response(200, {"status": "ok", "checks": report.checks}, NO_STORE)
    failing = report.failing
    body = {
        "status": "failing",
        "checks": report.checks,
        "error": {
            "code": "dependency_unavailable",
            "message": f"Failing check(s): {', '.join(failing)}.",
            "details": {"failing": failing},
        },
    }
    return json_response(503, body, NO_STORE)


handler = http_handler(app)
