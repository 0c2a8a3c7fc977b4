"""The one way to Stripe: a `StripeClient` configured from the `STRIPE_SECRET` (JSON `api_key`),
and webhook signatures checked with the `STRIPE_WEBHOOK_SECRET` (JSON `webhook_secret`; a secret of
its own, so the public webhook function cannot read the API key). Both are read through Powertools
parameters and cached for 5 minutes, never logged.

`STRIPE_API_BASE` points the client at localstripe on the local runtime; unset in AWS.
`stripe` is imported here only, on first use, to keep it off the cold start of functions that do
not talk to Stripe.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

from fitconnect.platform.errors import BadRequest, ServiceUnavailable
from fitconnect.platform.settings import env

SECRET_MAX_AGE_S = 300


def _secret(variable: str) -> dict[str, Any]:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(env(variable), transform="json", max_age=SECRET_MAX_AGE_S)
    return value if isinstance(value, dict) else {}


def client() -> Any:
    api_key = str(_secret("STRIPE_SECRET").get("api_key") or "")
    if not api_key:
        raise ServiceUnavailable("Payments are not configured.", code="payments_not_configured")
    return _client(api_key, os.environ.get("STRIPE_API_BASE"))


@cache
def _client(api_key: str, api_base: str | None) -> Any:
    from stripe import StripeClient

    addresses = {"api": api_base} if api_base else None
    return StripeClient(api_key, base_addresses=addresses, max_network_retries=2)  # type: ignore[arg-type]


def verified_event(payload: str, signature: str | None) -> dict[str, Any]:
    """The webhook's event if `Stripe-Signature` is valid for our signing secret (Stripe's default
    5-minute tolerance), else a 400 `invalid_signature`."""
    import stripe

    secret = str(_secret("STRIPE_WEBHOOK_SECRET").get("webhook_secret") or "")
    if not secret or not signature:
        raise BadRequest("Missing or invalid Stripe signature.", code="invalid_signature")
    try:
        stripe.Webhook.construct_event(payload, signature, secret)
    except (stripe.SignatureVerificationError, ValueError):
        raise BadRequest("Missing or invalid Stripe signature.", code="invalid_signature") from None
    return json.loads(payload)


def stripe_error() -> type[Exception]:
    """The base of every error the Stripe library raises (imported on first use)."""
    import stripe

    return stripe.StripeError


def idempotent(key: str) -> dict[str, str]:
    """Request options carrying Stripe's idempotency key (Stripe keeps keys for 24 hours)."""
    return {"idempotency_key": key}
