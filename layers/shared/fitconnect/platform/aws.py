"""AWS clients: one per service per process, made on first use (boto3 is imported only then), so
warm invocations reuse its connections and a handler that never calls a service never pays for it."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3

    return boto3.client(service)


def upload_form(
    bucket: str, key: str, *, content_type: str, min_bytes: int, max_bytes: int, expires_in: int
) -> dict[str, Any]:
    """`{url, fields}` of a browser's S3 POST upload to `key`: the policy holds the content type and
    the size range, so S3 refuses any other file (the one shape of every upload form we hand out)."""
    form = client("s3").generate_presigned_post(
        bucket,
        key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", min_bytes, max_bytes]],
        ExpiresIn=expires_in,
    )
    return {"url": form["url"], "fields": form["fields"]}
