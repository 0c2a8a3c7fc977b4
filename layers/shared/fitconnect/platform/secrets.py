"""JSON secrets from Secrets Manager, cached per process on the domain clock.

Every secret a function reads (Stripe's API key and webhook secret, Zoom's, the published JWKS)
comes through here: cached for `max_age_s` so a warm function reads it about once in that time,
and on the domain clock (decision 14) so that a test or the local runtime moving the clock sees a
rotated secret exactly when production would. Values are never logged.
"""

from __future__ import annotations

import json
from typing import Any

from fitconnect.platform import aws, clock
from fitconnect.platform.settings import env

DEFAULT_MAX_AGE_S = 300

_cache: dict[str, tuple[int, dict[str, Any]]] = {}  # secret id -> (read at, value)


def secret_json(variable: str, *, max_age_s: int = DEFAULT_MAX_AGE_S) -> dict[str, Any]:
    """The JSON object in the secret named by environment variable `variable` ({} if not an object)."""
    secret_id = env(variable)
    cached = _cache.get(secret_id)
    if cached is None or not clock.is_fresh(cached[0], max_age_s):
        raw = aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
        value = json.loads(raw or "{}")
        cached = _cache[secret_id] = (clock.epoch_seconds(), value if isinstance(value, dict) else {})
    return cached[1]


def forget() -> None:
    """Read every secret again on next use (a test that replaces the whole AWS in one process)."""
    _cache.clear()
