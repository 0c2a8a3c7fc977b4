"""GDPR erasure, checked for completeness: a member who used everything that stores personal data
deletes their account, and then every table, bucket and SNS endpoint of the stack is searched for
anything that identifies them. Nothing may remain but what the README says is kept, for the reason
it gives."""

import hashlib
import json
import uuid
from datetime import timedelta

import pyotp
import pytest
import requests

from tests.support.local import aws, drained, eventually, sns_endpoints


@pytest.fixture(scope="module")
def trainer(api, admin):
    return api.approved_trainer(admin)


def _everything_stored(platform) -> dict[str, str]:
    """Every item of every table, every object (key and body) of every bucket and every SNS endpoint
    of the stack, as text, by where it lives."""
    found: dict[str, str] = {}
    dynamodb, s3, sns = aws(platform, "dynamodb"), aws(platform, "s3"), aws(platform, "sns")
    for stack, logical_id in platform.template.each("AWS::DynamoDB::Table"):
        table = stack.physical[logical_id].ref
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
            for item in page["Items"]:
                where = f"{logical_id} {item.get('pk', {}).get('S')} {item.get('sk', {}).get('S')}"
                # Binary attributes (a machine's packed telemetry) read as their bytes decoded.
                found[where] = json.dumps(item, default=lambda raw: bytes(raw).decode(errors="replace"))
    for stack, logical_id in platform.template.each("AWS::S3::Bucket"):
        bucket = stack.physical[logical_id].ref
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for version in page.get("Versions", []):
                body = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])[
                    "Body"
                ]
                found[f"{logical_id} {version['Key']}"] = version["Key"] + body.read().decode(
                    errors="replace"
                )
    for endpoint in sns_endpoints(sns):
        found[f"SNS {endpoint['EndpointArn']}"] = json.dumps(endpoint)
    return found


# What runs on UserDeleted: identity and members' erasure, the bookings' cancellation, the reports.
ERASERS = (
    "EraseMemberFunction",
    "CancelMemberBookingsFunction",
    "UpdateReportsFunction",
    "ApplyPricingEventsFunction",
)
# What may still carry the member's id (a random ULID) after erasure, none of it naming them; the
# README's GDPR paragraph says the same. `{id}` is the member's id.
KEPT_WITH_THE_ID = {
    "IdentityTable USER#{id} ACCOUNT": "the tombstone: the id stays known as deleted",
    "SchedulingTable BOOKING#": "the class's history (attendance, trainer figures)",
    "SchedulingTable SESSION#": "the place in that class's roster",
    "NotificationsTable NOTIF#": "the delivery log: template and status, no address",
    "NotificationsTable REMINDERS#": "due-time entries of cancelled bookings, skipped when due",
    "PaymentsTable PAYMENT#": "the payments ledger (bookkeeping)",
    "AnalyticsBucket events/": "archived domain events, which carry ids only",
}


def _runs(api) -> dict[str, tuple[int, int]]:
    functions = api.get("/_local/functions").body["items"]
    return {f["logical_id"]: (f["invocations"], f["errors"]) for f in functions}


def test_after_erasure_nothing_identifies_the_member_but_what_the_readme_keeps(
    api, platform, trainer, oidc_issuer, admin
):
    member = api.member()
    token = member["access_token"]
    subject = f"sso-subject-{uuid.uuid4().hex}"  # an SSO link, by the verified e-mail
    linked = api.post("/auth/sso/testidp", {"id_token": oidc_issuer.id_token(subject, member["email"])})
    assert linked.status == 200
    name, phone = f"Erin {uuid.uuid4().hex[:8]}", "+4915112345678"
    assert api.patch("/me", {"name": name, "phone": phone}, token=token).status == 200
    secret = api.post("/auth/mfa/setup", token=token).body["secret"]
    assert api.post("/auth/mfa/verify", {"code": pyotp.TOTP(secret).now()}, token=token).status == 200
    grant = api.post("/me/avatar", {"content_type": "image/png"}, token=token).body
    avatar = b"\x89PNG " + uuid.uuid4().hex.encode()
    assert requests.put(
        grant["upload_url"], data=avatar, headers={"Content-Type": "image/png"}, timeout=10
    ).ok
    push_token = f"apns-{uuid.uuid4().hex}"
    assert api.post("/me/devices", {"platform": "ios", "token": push_token}, token=token).status == 201
    session_id = api.new_session(trainer, starts_in=timedelta(days=4))
    booking = api.post(f"/sessions/{session_id}/bookings", token=token).body
    notified = eventually(
        lambda: [n for n in api.get("/me/notifications", token=token).body["items"] if n["status"] == "sent"],
        timeout_s=20,
    )
    assert notified  # the confirmation went out (e-mail, push): the log and the endpoint exist
    note = f"felt strong {uuid.uuid4().hex}"  # a training log is personal data too
    workout = {"type": "run", "started_at": "2026-11-20T07:00:00Z", "duration_s": 1800, "distance_m": 6000,
               "notes": note}  # fmt: skip
    assert api.post("/me/activities", workout, token=token).status == 201
    plan = {"goal": "strength", "days_per_week": 3, "minutes_per_session": 45, "experience": "beginner"}
    assert api.post("/me/plan", plan, token=token).status == 201
    pack = {"kind": "class_pack", "name": "Erasure pack", "price_cents": 5000, "currency": "usd"}
    pack |= {"credits": 5, "valid_days": 30}
    product_id = api.post("/admin/products", pack, token=admin).body["product_id"]
    code = f"GIFT{uuid.uuid4().hex[:8].upper()}"  # 100 % off: the pack is theirs at once
    assert api.post("/admin/promo-codes", {"code": code, "percent_off": 100}, token=admin).status == 201
    bought = api.post("/me/purchases", {"product_id": product_id, "promo_code": code}, token=token)
    assert bought.body["status"] == "paid"
    export_id = api.post("/me/export", token=token).body["export_id"]
    eventually(lambda: api.get(f"/me/export/{export_id}", token=token).body.get("status") == "ready")
    needles = {
        "e-mail": member["email"],
        "name": name,
        "phone": phone,
        "MFA secret": secret,
        "SSO subject": subject,
        "push token": push_token,
        "refresh token (stored as its SHA-256)": hashlib.sha256(member["refresh_token"].encode()).hexdigest(),
        "avatar": avatar.decode(errors="replace"),
        "training log": note,
    }
    before = _everything_stored(platform)
    for what, needle in needles.items():  # the sweep finds each of them while the account exists
        assert any(needle in text for text in before.values()), f"the sweep cannot see the {what}"

    runs = _runs(api)
    assert api.delete("/me", token=token).status == 202
    # A positive signal first: each consumer of UserDeleted has run without an error since.
    eventually(lambda: all(_runs(api)[fid][0] > runs[fid][0] for fid in ERASERS), timeout_s=30)
    assert all(_runs(api)[fid][1] == runs[fid][1] for fid in ERASERS)
    assert eventually(
        lambda: drained(
            platform, "ErasureQueue", "MemberBookingsQueue", "ReportEventsQueue", "PricingEventsQueue"
        )
    )

    after = _everything_stored(platform)
    left = {
        what: [where for where, text in after.items() if needle in text] for what, needle in needles.items()
    }
    assert {what: where for what, where in left.items() if where} == {}
    [account] = [text for where, text in after.items() if where.endswith(f"USER#{member['user_id']} ACCOUNT")]
    assert not {"password_hash", "mfa_secret", "email"} & {
        k for k, v in json.loads(account).items() if v != {"S": ""}
    }
    allowed = tuple(pattern.format(id=member["user_id"]) for pattern in KEPT_WITH_THE_ID)
    carrying_the_id = [where for where, text in after.items() if member["user_id"] in text]
    assert carrying_the_id  # the history is there (the sweep is looking at the right stack)
    assert [where for where in carrying_the_id if not where.startswith(allowed)] == []
    assert booking["status"] == "confirmed"
