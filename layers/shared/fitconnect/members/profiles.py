"""A member's profile (`GET/PATCH /me`), avatar uploads and push devices."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from fitconnect.identity.public import Account
from fitconnect.members.models import Device, Profile, PushTokenOwner, member_pk
from fitconnect.platform import aws, clock
from fitconnect.platform.contract import RequestBody, SingleLine, View
from fitconnect.platform.errors import Conflict, NotFound, Unprocessable
from fitconnect.platform.settings import env
from fitconnect.platform.storage import conditional_delete, get_item, get_many, transact_write

AVATAR_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
AVATAR_MAX_BYTES = 5 * 1024 * 1024
UPLOAD_URL_SECONDS = 300
AVATAR_URL_SECONDS = 3600
MAX_DEVICES = 20


def _iana_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not an IANA time zone name (e.g. Europe/Paris)") from None
    return value


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine]
Goal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine]


class ProfilePatch(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Alex Doe", "timezone": "Europe/Berlin", "goals": ["run a 10k"]}]
        }
    )
    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine]
        | None
    ) = None
    timezone: Annotated[str, Field(max_length=64), AfterValidator(_iana_timezone)] | None = None
    goals: Annotated[list[Goal], Field(max_length=10)] | None = None
    # E.164, for SMS notifications (the member switches SMS on in their notification preferences)
    phone: Annotated[str, Field(pattern=r"^\+[1-9]\d{6,14}$")] | None = None


class AvatarRequest(RequestBody):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    content_length: Annotated[int, Field(ge=1, le=AVATAR_MAX_BYTES)] | None = None


class DeviceRegistration(RequestBody):
    platform: Literal["ios", "android", "web"]
    token: Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=4096)]


def new_profile(user_id: str, name: str, created_at: str) -> Profile:
    """A new account's profile, written with the account (identity's registration companion)."""
    return Profile(*Profile.key(user_id), user_id=user_id, name=name, created_at=created_at)


def names_of(user_ids: list[str]) -> dict[str, str]:
    """Members' names in one BatchGetItem (a trainer's roster); an erased member has none."""
    unique = list(dict.fromkeys(user_ids))
    found = get_many(*((Profile, Profile.key(user_id)) for user_id in unique))
    return {user_id: str(profile.name) for user_id, profile in zip(unique, found, strict=True) if profile}


def profile_of(user_id: str) -> Profile:
    profile = get_item(Profile, Profile.key(user_id))
    if profile is None:
        raise NotFound("No profile for this user.", code="profile_not_found")
    return profile


class MeView(View):
    """GET /me: the caller's account and profile (`me`)."""

    user_id: str
    email: str
    name: str
    role: Literal["member", "trainer", "admin"]
    timezone: str | None
    goals: list[str]
    phone: str | None
    mfa_enabled: bool
    calendar_url: str | None
    avatar_url: str | None
    created_at: str


def me(account: Account, profile: Profile, calendar_url: str | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "user_id": account.user_id,
        "email": account.email,
        "name": profile.name,
        "role": account.role,
        "timezone": profile.timezone,
        "goals": list(profile.goals or []),
        "phone": profile.phone,
        "mfa_enabled": bool(account.mfa_enabled),
        "calendar_url": calendar_url,
        "avatar_url": None,
        "created_at": account.created_at,
    }
    if profile.avatar_key:
        view["avatar_url"] = aws.client("s3").generate_presigned_url(
            "get_object",
            Params={"Bucket": env("AVATARS_BUCKET"), "Key": profile.avatar_key},
            ExpiresIn=AVATAR_URL_SECONDS,
        )
    return view


def update(profile: Profile, patch: ProfilePatch) -> Profile:
    changes = patch.model_dump(exclude_none=True)
    if not changes:
        return profile
    actions = [getattr(Profile, name).set(value) for name, value in changes.items()]
    actions.append(Profile.updated_at.set(clock.now_iso()))
    profile.update(actions=actions, condition=Profile.pk.exists())
    return profile


def avatar_upload(profile: Profile, request: AvatarRequest) -> dict[str, Any]:
    """A presigned PUT (type, and size when given, are signed) plus a POST form whose policy caps size."""
    key = f"avatars/{profile.user_id}/avatar.{AVATAR_TYPES[request.content_type]}"
    bucket = env("AVATARS_BUCKET")
    params: dict[str, Any] = {"Bucket": bucket, "Key": key, "ContentType": request.content_type}
    if request.content_length is not None:
        params["ContentLength"] = request.content_length
    upload_url = aws.client("s3").generate_presigned_url(
        "put_object", Params=params, ExpiresIn=UPLOAD_URL_SECONDS
    )
    form = aws.upload_form(
        bucket,
        key,
        content_type=request.content_type,
        min_bytes=1,
        max_bytes=AVATAR_MAX_BYTES,
        expires_in=UPLOAD_URL_SECONDS,
    )
    profile.update(actions=[Profile.avatar_key.set(key), Profile.updated_at.set(clock.now_iso())])
    return {
        "upload_url": upload_url,
        "method": "PUT",
        "headers": {"Content-Type": request.content_type},
        "expires_in": UPLOAD_URL_SECONDS,
        "max_bytes": AVATAR_MAX_BYTES,
        "upload_form": form,
    }


def register_device(user_id: str, registration: DeviceRegistration) -> tuple[Device, bool]:
    """Store a push token (one item per token, so re-registering is harmless); True when new.

    A token belongs to one member: registered by another account (the phone changed hands or
    accounts), it moves, and the previous member's device goes in the same transaction.
    """
    from pynamodb.exceptions import TransactWriteError

    device_id = hashlib.sha256(registration.token.encode()).hexdigest()[:32]
    existing = get_item(Device, Device.key(user_id, device_id))
    owner = get_item(PushTokenOwner, PushTokenOwner.key(device_id), consistent=True)
    now = clock.now_iso()
    if existing is None and Device.count(member_pk(user_id), Device.sk.startswith("DEVICE#")) >= MAX_DEVICES:
        raise Unprocessable(f"At most {MAX_DEVICES} devices per member.", code="too_many_devices")
    device = Device(
        *Device.key(user_id, device_id),
        device_id=device_id,
        platform=registration.platform,
        token=registration.token,
        endpoint_arn=None,  # registered again = live again: the next push re-enables its endpoint
        created_at=existing.created_at if existing else now,
        updated_at=now,
    )
    unchanged_owner = (
        PushTokenOwner.user_id == owner.user_id if owner is not None else PushTokenOwner.pk.does_not_exist()
    )
    try:
        with transact_write() as transaction:
            transaction.save(device)
            transaction.save(
                PushTokenOwner(*PushTokenOwner.key(device_id), user_id=user_id), condition=unchanged_owner
            )
            if owner is not None and owner.user_id != user_id:
                transaction.delete(Device(*Device.key(owner.user_id, device_id)))
    except TransactWriteError:
        raise Conflict(
            "The device was registered at the same moment by another request; retry.", code="device_conflict"
        ) from None
    return device, existing is None


def device_view(device: Device) -> dict[str, Any]:
    return {
        "device_id": device.device_id,
        "platform": device.platform,
        "created_at": device.created_at,
        "updated_at": device.updated_at,
    }


def devices_of(user_id: str) -> list[Device]:
    return list(Device.query(member_pk(user_id), Device.sk.startswith("DEVICE#")))


def release_token(user_id: str, device_id: str) -> None:
    """Forget that the member owns the token (not if another member owns it now). Repeatable."""
    conditional_delete(PushTokenOwner(*PushTokenOwner.key(device_id)), PushTokenOwner.user_id == user_id)
