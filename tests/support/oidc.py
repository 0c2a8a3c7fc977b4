"""A throwaway OIDC issuer on localhost: its own RSA key, a JWKS endpoint, ID tokens on demand, and
an authorization endpoint that signs the browser's person in at once (OIDC implicit flow: the ID
token, with the request's nonce, goes back in the redirect URI's fragment)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class LocalOidcIssuer:
    """Serves `/jwks.json` and `/authorize`; `id_token(...)` signs tokens the way a real provider
    would. `/authorize` signs in `browser_person` (subject, e-mail), a new one by default."""

    def __init__(self, audience: str = "fitconnect-test-client", kid: str = "test-key-1") -> None:
        self.audience = audience
        self.kid = kid
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": kid, "use": "sig", "alg": "RS256"}]}
        self.browser_person: tuple[str, str] | None = None
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.startswith("/authorize?"):
                    self.send_response(302)
                    self.send_header("Location", issuer.authorized(self.path))
                    self.end_headers()
                    return
                body = json.dumps(issuer.jwks).encode()
                self.send_response(200 if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def provider_config(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "audience": self.audience,
            "jwks_uri": f"{self.url}/jwks.json",
            "authorization_endpoint": f"{self.url}/authorize",
            "label": "Test IdP",
        }

    def authorized(self, path: str) -> str:
        """Where `/authorize` sends the browser back: its redirect URI with the ID token (or the
        error a provider gives for a client it does not know) in the fragment."""
        query = {name: values[0] for name, values in parse_qs(urlsplit(path).query).items()}
        answer: dict[str, str] = {"state": query.get("state", "")}
        if query.get("client_id") != self.audience or query.get("response_type") != "id_token":
            answer["error"] = "unauthorized_client"
        else:
            subject, email = self.browser_person or (f"sso-{uuid.uuid4().hex[:10]}", "")
            email = email or f"{subject}@example.com"
            answer["id_token"] = self.id_token(subject, email, nonce=query.get("nonce", ""))
        return f"{query['redirect_uri']}#{urlencode(answer)}"

    def id_token(self, subject: str, email: str, *, verified: bool = True, **overrides: Any) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "email": email,
            "email_verified": verified,
            "name": "SSO Person",
            "iat": now,
            "exp": now + 600,
            **overrides,
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})

    def stop(self) -> None:
        self.server.shutdown()
