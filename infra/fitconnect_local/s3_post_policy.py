"""S3 POST uploads as strict as S3: moto stores whatever a browser form sends, whatever its policy
says. S3 refuses an upload whose policy has expired, whose fields break a condition (the key, the
content type) or whose file is outside `content-length-range` — the upload caps of avatars and
workout imports rest on that, so the local runtime refuses them too, with S3's status and code.

Not checked: the policy's signature (moto checks no signature of any request).
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
from datetime import UTC, datetime
from typing import Any

from moto.s3.responses import S3Response

# Form fields S3 does not ask the policy to cover.
UNCOVERED = {"policy", "file", "x-amz-signature", "signature", "awsaccesskeyid"}


class PolicyRefusal(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> tuple[int, dict[str, str], str]:
        body = f"<Error><Code>{self.code}</Code><Message>{self.message}</Message></Error>"
        return self.status, {"Content-Type": "application/xml"}, body


def install() -> None:
    """Check every POST upload's policy before moto stores the object (once)."""
    original = S3Response._bucket_response_post
    if getattr(original, "checks_post_policy", False):
        return

    @functools.wraps(original)
    def checked(self: S3Response, request: Any, bucket_name: str) -> Any:
        form = getattr(self, "form_data", None) or {}
        if not self.is_delete_keys() and "key" in form:
            fields = {name: form[name] for name in form}  # the form's own fields, not moto's additions
            try:
                check(fields, bucket_name, len(self.body or b""), datetime.now(UTC))
            except PolicyRefusal as refusal:
                return refusal.response()
        return original(self, request, bucket_name)

    checked.checks_post_policy = True  # type: ignore[attr-defined]
    S3Response._bucket_response_post = checked


def check(fields: dict[str, str], bucket: str, size: int, now: datetime) -> None:
    """Raise PolicyRefusal unless the form `fields` and a file of `size` bytes meet their policy."""
    policy = _policy(fields.get("policy") or fields.get("Policy"))
    expiration = datetime.fromisoformat(str(policy.get("expiration", "")).replace("Z", "+00:00"))
    if expiration <= now:
        raise PolicyRefusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    values = {name.lower(): value for name, value in fields.items()} | {"bucket": bucket}
    covered = {"bucket"}
    for condition in policy.get("conditions") or []:
        covered |= _meets(condition, values, size)
    extra = {name for name in values if name not in covered | UNCOVERED and not name.startswith("x-ignore-")}
    if extra:
        name = sorted(extra)[0]
        raise PolicyRefusal(403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {name}")


def _policy(encoded: str | None) -> dict[str, Any]:
    if not encoded:
        raise PolicyRefusal(403, "AccessDenied", "Bucket POST must contain a field named 'policy'.")
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise PolicyRefusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if not isinstance(policy, dict) or "expiration" not in policy:
        raise PolicyRefusal(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.")
    return policy


def _meets(condition: Any, values: dict[str, str], size: int) -> set[str]:
    """The field names `condition` covers, once it holds."""
    if isinstance(condition, dict):
        ((name, expected),) = condition.items()
        return _compare("eq", name, str(expected), values)
    operator, *operands = condition
    if operator == "content-length-range":
        low, high = (int(bound) for bound in operands)
        if size < low:
            raise PolicyRefusal(400, "EntityTooSmall", "Your proposed upload is below the minimum size")
        if size > high:
            raise PolicyRefusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed")
        return set()
    name, expected = operands
    return _compare(str(operator), str(name).removeprefix("$"), str(expected), values)


def _compare(operator: str, name: str, expected: str, values: dict[str, str]) -> set[str]:
    actual = values.get(name.lower(), "")
    holds = actual == expected if operator == "eq" else actual.startswith(expected)
    if not holds:
        raise PolicyRefusal(
            403,
            "AccessDenied",
            f'Invalid according to Policy: Policy Condition failed: ["{operator}", "${name}", "{expected}"]',
        )
    return {name.lower()}
