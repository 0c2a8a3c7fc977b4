"""The web client as CloudFront serves it, from the gateway's own origin: `/app/...` answers the
built files of `web/dist` (`make web`), any other path under it the app's `index.html` (the SPA
fallback CloudFront's custom error responses give), with the security headers of the template's
CloudFront response headers policy. `config.json` says where the API is (locally the same origin)
and what the template's config output says (Stripe.js: the publishable key, the script's URL), as
`make web-deploy` writes it.

Declared in the root template's `Metadata.LocalRuntime.WebClient`: `{Path, Directory,
HeadersPolicy, Config}` (the policy's logical id, the output's name).
"""

from __future__ import annotations

import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploy.web_deploy import client_config
from fitconnect_local.template import Template, TemplateError

NOT_BUILT = "The web client is not built: run `make web` (or `make run`, which builds it)."


@dataclass(frozen=True)
class WebClient:
    prefix: str  # "/app/"
    root: Path
    headers: dict[str, str]
    config: dict[str, Any] = field(default_factory=lambda: client_config("", "{}"))

    def owns(self, path: str) -> bool:
        return path == self.prefix.rstrip("/") or path.startswith(self.prefix)

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        if path == self.prefix.rstrip("/"):
            return 301, {"Location": self.prefix}, b""
        relative = path[len(self.prefix) :]
        if relative == "config.json":
            body = json.dumps(self.config).encode()
            return (
                200,
                {**self.headers, "Content-Type": "application/json", "Cache-Control": "no-store"},
                body,
            )
        index = self.root / "index.html"
        if not index.is_file():
            message = {"error": {"code": "web_client_not_built", "message": NOT_BUILT, "details": None}}
            return 404, {"Content-Type": "application/json"}, json.dumps(message).encode()
        wanted = (self.root / relative).resolve()
        inside = wanted.is_relative_to(self.root.resolve())
        target = wanted if inside and wanted.is_file() else index  # the SPA fallback
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "text/javascript"):
            kind += "; charset=utf-8"
        # Hashed assets never change; index.html must be read again after a deploy.
        cache = "public, max-age=31536000, immutable" if "/assets/" in str(target) else "no-cache"
        return 200, {**self.headers, "Content-Type": kind, "Cache-Control": cache}, target.read_bytes()


def web_client(template: Template) -> WebClient | None:
    declared = ((template.body.get("Metadata") or {}).get("LocalRuntime") or {}).get("WebClient")
    if not declared:
        return None
    prefix = str(declared["Path"])
    if not (prefix.startswith("/") and prefix.endswith("/")):
        raise TemplateError(f"WebClient Path {prefix!r} must start and end with /")
    policy_id = str(declared["HeadersPolicy"])
    if policy_id not in template.resources:
        raise TemplateError(f"WebClient HeadersPolicy {policy_id} is not a resource of the root template")
    policy = template.resolve(template.properties(policy_id))
    output = (template.body.get("Outputs") or {}).get(str(declared.get("Config")))
    if output is None:
        raise TemplateError(
            f"WebClient Config {declared.get('Config')!r}: no such output of the root template"
        )
    return WebClient(
        prefix,
        (template.root / str(declared["Directory"])).resolve(),
        _security_headers(policy),
        client_config("", str(template.resolve(output["Value"]))),  # the API is this origin
    )


def _security_headers(policy: dict[str, Any]) -> dict[str, str]:
    """The response headers a CloudFront ResponseHeadersPolicy adds (HSTS too: harmless on http)."""
    security = (policy.get("ResponseHeadersPolicyConfig") or {}).get("SecurityHeadersConfig") or {}
    headers = {}
    if "ContentSecurityPolicy" in security:
        headers["Content-Security-Policy"] = str(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    if "ContentTypeOptions" in security:
        headers["X-Content-Type-Options"] = "nosniff"
    if "FrameOptions" in security:
        headers["X-Frame-Options"] = str(security["FrameOptions"]["FrameOption"])
    if "ReferrerPolicy" in security:
        headers["Referrer-Policy"] = str(security["ReferrerPolicy"]["ReferrerPolicy"])
    if "StrictTransportSecurity" in security:
        hsts = security["StrictTransportSecurity"]
        value = f"max-age={hsts['AccessControlMaxAgeSec']}"
        headers["Strict-Transport-Security"] = value + (
            "; includeSubDomains" if hsts.get("IncludeSubdomains") else ""
        )
    return headers
