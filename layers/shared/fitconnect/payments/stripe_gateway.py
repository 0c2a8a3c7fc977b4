"""The one way to Stripe: a `StripeClient` configured from the `STRIPE_SECRET` (JSON `api_key`),
and webhook signatures checked with the `STRIPE_WEBHOOK_SECRET` (JSON `webhook_secret`; a secret of
its own, so the public webhook function cannot read the API key). Both are read through
`platform.secrets` and cached for 5 minutes on the domain clock, never logged.

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
from fitconnect.platform.observability import logger
from fitconnect.platform.secrets import secret_json

SIGNATURE_TOLERANCE_S = 300  # Stripe's default, for a timestamp in the past or (here also) in the future


def _secret(variable: str) -> dict[str, Any]:
    return secret_json(variable)


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
    """The webhook's event if `Stripe-Signature` is valid for our signing secret, within 5 minutes
    either side of now (the library only refuses old timestamps: a future one would make a captured
    request replayable for longer), else a 400 `invalid_signature`. A signed body that is not an
    event (`[]`, `{}`, wrong types) is a 400 `invalid_event`: never queued, so never a message that
    fails forever."""
    import stripe

    secret = str(_secret("STRIPE_WEBHOOK_SECRET").get("webhook_secret") or "")
    if not secret or not signature or _signed_in_the_future(signature):
        raise BadRequest("Missing or invalid Stripe signature.", code="invalid_signature")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, tolerance=SIGNATURE_TOLERANCE_S)
    except (stripe.SignatureVerificationError, ValueError):
        raise BadRequest("Missing or invalid Stripe signature.", code="invalid_signature") from None
    try:
        event = json.loads(payload)
    except ValueError:
        raise BadRequest("The body is not JSON.", code="malformed_json") from None
    return _event_shape(event)


def _signed_in_the_future(signature: str) -> bool:
    import time  # Stripe signs with its wall clock, as the library checks with time.time()

    stamps = [part[2:] for part in signature.split(",") if part.startswith("t=")]
    return not stamps or not stamps[0].isdigit() or int(stamps[0]) > time.time() + SIGNATURE_TOLERANCE_S


def _event_shape(event: Any) -> dict[str, Any]:
    data = event.get("data") if isinstance(event, dict) else None
    shaped = (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and event["id"].startswith("evt_")
        and isinstance(event.get("type"), str)
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    )
    if not shaped:
        raise BadRequest("The signed body is not a Stripe event.", code="invalid_event")
    return event


def stripe_error() -> type[Exception]:
    """The base of every error the Stripe library raises (imported on first use)."""
    import stripe

    return stripe.StripeError


def unavailable(error: Exception, doing: str) -> ServiceUnavailable:
    """What the caller answers when Stripe refused or failed `doing` (logged without its details)."""
    logger.warning("stripe refused or failed", extra={"doing": doing, "error": type(error).__name__})
    return ServiceUnavailable(
        "The payment provider is not available; try again.", code="payments_unavailable"
    )


def idempotent(key: str) -> dict[str, str]:
    """Request options carrying Stripe's idempotency key (Stripe keeps keys for 24 hours)."""
    return {"idempotency_key": key}


def is_local() -> bool:
    """Talking to localstripe (the local runtime), which lacks some of Stripe's parameters."""
    return bool(os.environ.get("STRIPE_API_BASE"))


def id_of(value: Any) -> str | None:
    """Stripe expands some ids into objects (localstripe always does): read either."""
    if isinstance(value, dict):
        return str(value.get("id")) if value.get("id") else None
    if hasattr(value, "id"):
        return str(value.id)
    return str(value) if value else None
