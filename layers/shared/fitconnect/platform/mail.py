"""Transactional e-mail through SES (`MAIL_FROM` is a verified identity in template.yaml)."""

from __future__ import annotations

from email.message import EmailMessage
from functools import cache
from typing import Any

from fitconnect.platform.settings import env


@cache
def _ses() -> Any:
    import boto3

    return boto3.client("ses")


def send_email(to: str, subject: str, text: str) -> str:
    """Send a plain-text e-mail; returns SES's message id."""
    result = _ses().send_email(
        Source=env("MAIL_FROM"),
        Destination={"ToAddresses": [to]},
        Message={
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
        },
    )
    return str(result["MessageId"])


def send_raw(message: EmailMessage) -> str:
    """Send a MIME message (attachments); `From` is set to MAIL_FROM. Returns SES's message id."""
    del message["From"]
    message["From"] = env("MAIL_FROM")
    result = _ses().send_raw_email(RawMessage={"Data": message.as_bytes()})
    return str(result["MessageId"])
