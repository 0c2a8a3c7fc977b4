"""The RS256 signing keys: private halves in one secret, the public JWKS in another.

- The secret (`SIGNING_KEYS_SECRET`) holds `{"keys": [{"kid", "private_pem", "created_at"}, ...]}`,
  newest first: the first key signs, the others only still verify. Only the functions that issue
  tokens may read it.
- The second secret (`JWKS_SECRET`) holds the public JWKS of the same keys; the authorizer and
  `GET /.well-known/jwks.json` may read only that, so nothing that verifies can sign.
- The first issuer to find the secret empty generates the first key. Concurrent cold starts race
  through one fixed `ClientRequestToken`: Secrets Manager keeps the first value and refuses the
  others, which then read the winner's key.
- Rotation puts a new key in front and keeps the previous one, so tokens signed before the
  rotation stay valid until they expire: a rotation logs nobody out.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from fitconnect.platform import aws, clock, ids
from fitconnect.platform.observability import logger
from fitconnect.platform.secrets import secret_json
from fitconnect.platform.settings import env

KEY_BITS = 2048
KEYS_KEPT = 2  # current + previous
CACHE_SECONDS = 300
_FIRST_KEY_TOKEN = str(uuid.uuid5(uuid.NAMESPACE_URL, "fitconnect:first-signing-key"))


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: str
    created_at: str

    def public_jwk(self) -> dict[str, Any]:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from jwt.algorithms import RSAAlgorithm

        private_key = load_pem_private_key(self.private_pem.encode(), password=None)
        jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))  # type: ignore[arg-type]
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


def generate_key() -> SigningKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return SigningKey(kid=ids.new_id(), private_pem=pem, created_at=clock.now_iso())


def _read_keys() -> list[SigningKey]:
    document = secret_json("SIGNING_KEYS_SECRET", max_age_s=0)  # always the current version
    return [SigningKey(**key) for key in document.get("keys", [])]


def _write_keys(keys: list[SigningKey], request_token: str) -> bool:
    """Store `keys` as the new secret version; False when another writer used the token first."""
    client = aws.client("secretsmanager")
    document = {"keys": [key.__dict__ for key in keys]}
    try:
        client.put_secret_value(
            SecretId=env("SIGNING_KEYS_SECRET"),
            SecretString=json.dumps(document),
            ClientRequestToken=request_token,
        )
    except client.exceptions.ResourceExistsException:
        return False
    return True


def publish_jwks(keys: list[SigningKey]) -> dict[str, Any]:
    jwks = {"keys": [key.public_jwk() for key in keys]}
    aws.client("secretsmanager").put_secret_value(SecretId=env("JWKS_SECRET"), SecretString=json.dumps(jwks))
    return jwks


_cached: tuple[int, list[SigningKey]] | None = None  # (fetched at, keys)


def signing_keys() -> list[SigningKey]:
    """The keys, newest first; generated and published on first use. Cached for 5 minutes."""
    global _cached
    if _cached is not None and clock.is_fresh(_cached[0], CACHE_SECONDS):
        return _cached[1]
    keys = _read_keys()
    if not keys:
        _write_keys([generate_key()], _FIRST_KEY_TOKEN)
        keys = _read_keys()  # ours, or the key of the cold start that won the race
        logger.info("first signing key in place", extra={"kid": keys[0].kid})
    _ensure_published(keys)
    _cached = (clock.epoch_seconds(), keys)
    return keys


def _ensure_published(keys: list[SigningKey]) -> None:
    # A crash between writing the secret and the parameter must not leave tokens unverifiable.
    published = public_jwks()
    if {key.kid for key in keys} - {jwk.get("kid") for jwk in published.get("keys", [])}:
        publish_jwks(keys)


def public_jwks(*, max_age_s: int = 0) -> dict[str, Any]:
    """The published JWKS, fresh (by default) or cached up to `max_age_s` (domain clock)."""
    return secret_json("JWKS_SECRET", max_age_s=max_age_s)


def rotate() -> SigningKey:
    """Put a new signing key in front, keep the previous one, publish the JWKS.

    Safe to repeat: a second run for the same current key finds the token already used.
    """
    global _cached
    keys = _read_keys()
    new_key = generate_key()
    token = str(uuid.uuid5(uuid.NAMESPACE_URL, f"fitconnect:rotate-after:{keys[0].kid if keys else ''}"))
    if _write_keys([new_key, *keys][:KEYS_KEPT], token):
        logger.info("signing key rotated", extra={"kid": new_key.kid})
    keys = _read_keys()
    publish_jwks(keys)
    _cached = None
    return keys[0]
