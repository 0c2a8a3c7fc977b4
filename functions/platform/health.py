"""GET /health — is every table, bucket, queue and the bus this function can reach answering?

Anyone gets `{"status": "ok"}` or a 503 `unavailable`; an admin also gets each check (names,
latencies, errors), which would otherwise map our resources for a stranger. The report is shared
for 10 s within a warm instance, so a crowd of callers costs one round of checks.
"""

from fitconnect.platform.errors import ApiError, error_body
from fitconnect.platform.health import CachedReport, checks_from_environment
from fitconnect.platform.http import Api, answers, http_handler, json_response

app = Api(public=True, validate_requests=False)  # no body, no parameters: skip pydantic
REPORTS = CachedReport(checks_from_environment(), ttl_s=10)
NO_STORE = {"Cache-Control": "no-store"}


@app.get("/health", responses=answers(200))
def get_health():
    report = REPORTS.get()
    admin = _is_admin()
    if report.healthy:
        return json_response(200, {"status": "ok", **({"checks": report.checks} if admin else {})}, NO_STORE)
    failing = [{"check": name} for name in report.failing] if admin else None
    message = f"Failing check(s): {', '.join(report.failing)}." if admin else "A dependency is unavailable."
    body = {"status": "unavailable", **error_body("dependency_unavailable", message, failing)}
    if admin:
        body["checks"] = report.checks
    return json_response(503, body, NO_STORE)


def _is_admin() -> bool:
    try:
        app.caller("admin")
    except ApiError:
        return False
    return True


handler = http_handler(app)
