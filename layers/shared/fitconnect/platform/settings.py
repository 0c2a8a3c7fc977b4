"""Configuration from the environment that template.yaml gives each function.

A function reads only the names it needs; a missing one is a deployment bug and fails loudly
with the variable's name, not with a KeyError deep inside boto3.
"""

from __future__ import annotations

import os


class ConfigurationError(RuntimeError):
    """A required environment variable is missing: the template does not give it to this function."""


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"environment variable {name} is not set for this function")
    return value


def env_optional(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name) or default


def stage() -> str:
    return env_optional("STAGE", "dev") or "dev"


# Naming conventions the template follows, so health checks can find every resource a function
# was given without a second list: <NAME>_TABLE, <NAME>_BUCKET, <NAME>_QUEUE_URL, EVENT_BUS_NAME.
TABLE_SUFFIX = "_TABLE"
BUCKET_SUFFIX = "_BUCKET"
QUEUE_SUFFIX = "_QUEUE_URL"
EVENT_BUS_VAR = "EVENT_BUS_NAME"
