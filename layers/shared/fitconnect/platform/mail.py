"""Transactional e-mail through SES (`MAIL_FROM` is a verified identity in template.yaml)."""

from __future__ import annotations

from email.message import EmailMessage

from fitconnect.platform import aws
from fitconnect.platform.settings import env


def send_raw(message: EmailMessage) -> str:
    """Send a MIME message (attachments); `From` is set to MAIL_FROM. Returns SES's message id."""
    del message["From"]
    message["From"] = env("MAIL_FROM")
    result = aws.client("ses").send_raw_email(RawMessage={"Data": message.as_bytes()})
    return str(result["MessageId"])
