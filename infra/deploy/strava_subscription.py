"""Register a stage's Strava push subscription: Strava then POSTs every activity and athlete event
of the members who connected to `<API URL>/webhooks/strava`.

    make strava-subscription STAGE=prod URL=https://<api id>.execute-api.<region>.amazonaws.com

Strava allows one subscription per API application, so this is done once per stage (after `make
secrets` has stored the application's client id and secret). Strava checks the callback at once
with a GET carrying `hub.verify_token`, which the StravaChallenge function answers from the stage's
`fitconnect/<stage>/strava-webhook` secret; the subscription id Strava returns is then stored in
that secret, and the webhook refuses any event of another subscription. The local runtime does
the same at start against its stand-in.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

WEBHOOK_PATH = "/webhooks/strava"
STRAVA_BASE_URL = "https://www.strava.com"


class RegistrationRefused(RuntimeError):
    pass


def register(base_url: str, app: dict[str, Any], callback_url: str, verify_token: str) -> int:
    """Create the subscription; Strava's id for it."""
    form = {
        "client_id": str(app["client_id"]),
        "client_secret": str(app["client_secret"]),
        "callback_url": callback_url,
        "verify_token": verify_token,
    }
    request = urllib.request.Request(
        f"{base_url.rstrip('/')}/api/v3/push_subscriptions", data=urlencode(form).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:
            return int(json.loads(answer.read())["id"])
    except urllib.error.HTTPError as error:
        raise RegistrationRefused(
            f"Strava refused the subscription ({error.code}): {error.read()[:300]!r}"
        ) from None


def store_subscription_id(secrets: Any, secret_id: str, subscription_id: int) -> None:
    """Merge the id into the webhook secret (its verify token stays)."""
    current = json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"] or "{}")
    secrets.put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({**current, "subscription_id": subscription_id})
    )


def main() -> int:
    import boto3  # the deploy tools' dependency, not the runtime's

    stage, api_url = os.environ.get("STAGE", ""), os.environ.get("URL", "").rstrip("/")
    if not stage or not api_url:
        print("usage: make strava-subscription STAGE=dev|prod URL=<the stack's ApiUrl>", file=sys.stderr)
        return 2
    secrets = boto3.client("secretsmanager")

    def secret(name: str) -> dict[str, Any]:
        return json.loads(
            secrets.get_secret_value(SecretId=f"fitconnect/{stage}/{name}")["SecretString"] or "{}"
        )

    app, webhook = secret("strava"), secret("strava-webhook")
    if not (app.get("client_id") and app.get("client_secret")):
        print(
            f"fitconnect/{stage}/strava has no client_id/client_secret yet: run make secrets", file=sys.stderr
        )
        return 1
    base_url = os.environ.get("STRAVA_BASE_URL", STRAVA_BASE_URL)
    subscription_id = register(base_url, app, api_url + WEBHOOK_PATH, str(webhook["verify_token"]))
    store_subscription_id(secrets, f"fitconnect/{stage}/strava-webhook", subscription_id)
    print(f"Strava subscription {subscription_id} sends events to {api_url}{WEBHOOK_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
