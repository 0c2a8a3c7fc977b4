"""The members context's items, in the members table (`MEMBERS_TABLE`).

| item | pk | sk |
|---|---|---|
| profile | `MEMBER#<user_id>` | `PROFILE` |
| push device | `MEMBER#<user_id>` | `DEVICE#<device_id>` (`sha256(token)[:32]`) |
| push token's owner | `PUSHTOKEN#<device_id>` | `OWNER` |
| data export | `MEMBER#<user_id>` | `EXPORT#<export_id>` |
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from fitconnect.platform.storage import ContextItem, get_item, table_meta

TABLE_ENV = "MEMBERS_TABLE"


def member_pk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


class MembersItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class Profile(MembersItem):
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    timezone = UnicodeAttribute(default="UTC")
    goals = ListAttribute(of=UnicodeAttribute, default=list)
    avatar_key = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)  # E.164
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return member_pk(user_id), "PROFILE"


class Device(MembersItem):
    device_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    token = UnicodeAttribute()
    endpoint_arn = UnicodeAttribute(null=True)  # its SNS platform endpoint, once pushed to
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def key(user_id: str, device_id: str) -> tuple[str, str]:
        return member_pk(user_id), f"DEVICE#{device_id}"


class PushTokenOwner(MembersItem):
    """Who registered a push token last: a phone signed into another account stops receiving the
    previous member's notifications (their device item is removed when the token moves)."""

    user_id = UnicodeAttribute()

    @staticmethod
    def key(device_id: str) -> tuple[str, str]:
        return f"PUSHTOKEN#{device_id}", "OWNER"


class Export(MembersItem):
    export_id = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | ready | failed
    object_key = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(user_id: str, export_id: str) -> tuple[str, str]:
        return member_pk(user_id), f"EXPORT#{export_id}"


def timezone_of(user_id: str) -> str:
    """The member's IANA time zone (UTC when unknown): what messages and the chatbot speak in."""

    profile = get_item(Profile, Profile.key(user_id))
    return str(profile.timezone) if profile is not None and profile.timezone else "UTC"
