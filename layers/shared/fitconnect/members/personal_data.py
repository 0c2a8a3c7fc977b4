"""GDPR for a member: the export of everything they own, and erasure (`DELETE /me`).

Export: `POST /me/export` records a pending export and queues it; the export worker gathers each
context's part (identity's and members' here, scheduling's and payments' passed in by the worker),
writes one JSON document to the exports bucket (kept 7 days) and marks it ready;
`GET /me/export/{id}` then hands out a presigned URL.

Erasure: `DELETE /me` publishes `UserDeleted` and blocks the account at once; the erasure
worker (and every other context, on the same event) removes personal data. Financial records
are kept, anonymised, by the payments context.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fitconnect.identity import public as identity
from fitconnect.members.models import Device, Export, MembersItem, Profile, member_pk
from fitconnect.members.profiles import devices_of, release_token
from fitconnect.platform import aws, clock, ids
from fitconnect.platform.errors import NotFound
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.settings import env
from fitconnect.platform.storage import get_item

DOWNLOAD_URL_SECONDS = 900


class UserDeleted(DomainEvent):
    source = "fitconnect.members"
    detail_type = "UserDeleted"
    user_id: str
    requested_at: str


class ExportRequested(DomainEvent):
    source = "fitconnect.members"
    detail_type = "ExportRequested"
    user_id: str
    export_id: str


def _members_part(user_id: str) -> dict[str, Any]:
    profile = get_item(Profile, Profile.key(user_id))
    devices = devices_of(user_id)
    return {
        "profile": {
            "name": profile.name,
            "timezone": profile.timezone,
            "goals": list(profile.goals or []),
            "phone": profile.phone,
            "has_avatar": profile.avatar_key is not None,
            "created_at": profile.created_at,
        }
        if profile
        else None,
        "devices": [
            {"device_id": d.device_id, "platform": d.platform, "token": d.token, "created_at": d.created_at}
            for d in devices
        ],
    }


# A context's part of an export, by user id. The export worker (a handler) passes the other
# contexts' parts in, so members knows only identity.
Part = Callable[[str], dict[str, Any]]


def request_export(user_id: str) -> Export:
    export_id = ids.new_id()
    export = Export(*Export.key(user_id, export_id), export_id=export_id, created_at=clock.now_iso())
    export.save()

    publish([ExportRequested(user_id=user_id, export_id=export_id)])
    return export


def build_export(user_id: str, export_id: str, parts: dict[str, Part]) -> None:
    """Write the export document, with identity's, members' and each of `parts` (by section), and
    mark the export ready (repeatable: same key, same result)."""
    export = get_item(Export, Export.key(user_id, export_id), consistent=True)
    if export is None or export.status == "ready":
        return
    document = {
        "format": "fitconnect-export/1",
        "user_id": user_id,
        "export_id": export_id,
        "generated_at": clock.now_iso(),
        "identity": identity.export(user_id),
        "members": _members_part(user_id),
        **{section: collect(user_id) for section, collect in parts.items()},
    }
    key = f"exports/{user_id}/{export_id}.json"
    aws.client("s3").put_object(
        Bucket=env("EXPORTS_BUCKET"),
        Key=key,
        Body=json.dumps(document, indent=2).encode(),
        ContentType="application/json",
    )
    export.update(
        actions=[
            Export.status.set("ready"),
            Export.object_key.set(key),
            Export.completed_at.set(clock.now_iso()),
        ]
    )


def export_status(user_id: str, export_id: str) -> dict[str, Any]:
    export = get_item(Export, Export.key(user_id, export_id))
    if export is None:
        raise NotFound("No such export.", code="export_not_found")
    view: dict[str, Any] = {
        "export_id": export.export_id,
        "status": export.status,
        "created_at": export.created_at,
    }
    if export.status == "ready" and export.object_key:
        view["download_url"] = aws.client("s3").generate_presigned_url(
            "get_object",
            Params={"Bucket": env("EXPORTS_BUCKET"), "Key": export.object_key},
            ExpiresIn=DOWNLOAD_URL_SECONDS,
        )
        view["expires_in"] = DOWNLOAD_URL_SECONDS
        view["completed_at"] = export.completed_at
    return view


def request_erasure(user_id: str) -> None:

    identity.account_of(user_id)  # 404 once deleted: a repeated DELETE /me publishes nothing again
    # The event first: if publishing fails nothing has changed and the member can retry.
    publish([UserDeleted(user_id=user_id, requested_at=clock.now_iso())])
    identity.mark_deleted(user_id)


def erase(user_id: str, forget_device: Callable[[Device], Any]) -> None:
    """Everything identity and members hold about the user; each push device is also handed to
    `forget_device` (notifications deletes its endpoint at SNS). Safe to run again."""
    identity.erase(user_id)
    _forget_devices(user_id, forget_device)
    items = list(MembersItem.query(member_pk(user_id)))  # profile, exports (and devices, if raced)
    with MembersItem.batch_write() as batch:
        for item in items:
            batch.delete(item)
    bucket_prefixes = [("AVATARS_BUCKET", f"avatars/{user_id}/"), ("EXPORTS_BUCKET", f"exports/{user_id}/")]
    for bucket_env, prefix in bucket_prefixes:
        _delete_prefix(env(bucket_env), prefix)


def _forget_devices(user_id: str, forget_device: Callable[[Device], Any]) -> None:
    """Push tokens are personal data at SNS too: each device's endpoint goes, and the token's
    ownership unless another member has registered it since."""

    for device in devices_of(user_id):
        forget_device(device)
        release_token(user_id, device.device_id)


def _delete_prefix(bucket: str, prefix: str) -> None:
    s3 = aws.client("s3")
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        versions = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
