"""Put the Stripe, Zoom and Strava credentials into a deployed stage's secrets.

    STAGE=prod make secrets          (reads the values from the environment, or asks for them)

The stack creates the secrets empty (`fitconnect/<stage>/stripe`, `…/stripe-webhook`, `…/zoom`,
`…/zoom-webhook`, `…/strava`); this fills them (`…/strava-webhook` is generated, and completed by
`make strava-subscription`). Values come from environment variables or a hidden
prompt, never from the command line (shell history), and are never printed. A value left empty
keeps what the secret holds. The API key and the webhook signing secrets live apart: the public
webhook functions can read only their signing secret.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3


@dataclass(frozen=True)
class Field:
    secret: str  # the secret's name after fitconnect/<stage>/
    key: str  # the JSON key inside it
    variable: str  # the environment variable that may carry it
    pattern: str  # what a real value looks like


FIELDS = [
    Field("stripe", "api_key", "STRIPE_API_KEY", r"^(sk|rk)_(test|live)_[A-Za-z0-9]+$"),
    Field("stripe-webhook", "webhook_secret", "STRIPE_WEBHOOK_SECRET", r"^whsec_[A-Za-z0-9]+$"),
    Field("zoom", "account_id", "ZOOM_ACCOUNT_ID", r"^\S+$"),
    Field("zoom", "client_id", "ZOOM_CLIENT_ID", r"^\S+$"),
    Field("zoom", "client_secret", "ZOOM_CLIENT_SECRET", r"^\S+$"),
    Field("zoom-webhook", "webhook_secret_token", "ZOOM_WEBHOOK_SECRET_TOKEN", r"^\S+$"),
    Field("strava", "client_id", "STRAVA_CLIENT_ID", r"^\d+$"),
    Field("strava", "client_secret", "STRAVA_CLIENT_SECRET", r"^[0-9a-f]{40}$"),
]


def collect(environ: Mapping[str, str], ask: Callable[[str], str] | None) -> dict[Field, str]:
    """The values given (environment first, then the prompt if there is one), each checked."""
    values = {}
    for field in FIELDS:
        value = environ.get(field.variable, "").strip()
        if not value and ask is not None:
            value = ask(f"{field.variable} (empty keeps the current value): ").strip()
        if not value:
            continue
        if not re.match(field.pattern, value):
            raise ValueError(f"{field.variable} does not look like a {field.key}")
        values[field] = value
    return values


def apply(stage: str, values: dict[Field, str], client: Any) -> list[str]:
    """Merge the values into each secret's JSON; returns the names of the secrets changed."""
    changed = []
    for secret in dict.fromkeys(field.secret for field in values):
        name = f"fitconnect/{stage}/{secret}"
        current = json.loads(client.get_secret_value(SecretId=name).get("SecretString") or "{}")
        current.update({field.key: value for field, value in values.items() if field.secret == secret})
        client.put_secret_value(SecretId=name, SecretString=json.dumps(current))
        changed.append(name)
    return changed


def main() -> int:
    stage = os.environ.get("STAGE", "")
    if stage not in ("dev", "prod"):
        print("set STAGE=dev or STAGE=prod", file=sys.stderr)
        return 2
    ask = getpass.getpass if sys.stdin.isatty() else None
    try:
        values = collect(os.environ, ask)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    for name in apply(stage, values, boto3.client("secretsmanager")):
        print(f"updated {name}")  # the name only, never the value
    return 0


if __name__ == "__main__":
    sys.exit(main())
