"""The inventory context's items, all in the inventory table (`INVENTORY_TABLE`); the module that works
with an item documents its keys."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from fitconnect.platform.storage import ContextItem, gsi1_index, table_meta

TABLE_ENV = "INVENTORY_TABLE"


class InventoryItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class Equipment(InventoryItem):
    equipment_id = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()
    location = UnicodeAttribute()
    service_interval_hours = NumberAttribute()
    status = UnicodeAttribute(default="offline")
    in_use = BooleanAttribute(default=False)
    usage_seconds_total = NumberAttribute(default=0)
    usage_seconds_since_service = NumberAttribute(default=0)
    last_seen = UnicodeAttribute(null=True)
    last_ts = UnicodeAttribute(null=True)
    battery_pct = NumberAttribute(null=True)
    temperature_c = NumberAttribute(null=True)
    vibration_rms = NumberAttribute(null=True)
    last_service_at = UnicodeAttribute(null=True)
    # Seconds in use per UTC day, the last 90 days, packed (fitconnect.inventory.packing).
    usage_days = BinaryAttribute(null=True, legacy_encoding=False)
    reps_total = NumberAttribute(default=0)
    messages_total = NumberAttribute(default=0)
    # Rolling baselines (exponentially weighted mean and variance) of the device's own readings.
    baselines = MapAttribute[str, Any](default=dict)
    # Device times (epoch ms) of the messages counted in the last DEDUP_WINDOW, packed, and the time
    # at or below which a message is too late to be counted (the window's edge).
    seen = BinaryAttribute(null=True, legacy_encoding=False)
    seen_floor = NumberAttribute(null=True)
    # Bumped by every write that reads before it writes (telemetry, a service record): each is
    # conditioned on the version it read.
    version = NumberAttribute(null=True)
    # Its IoT certificate once enrolled (fitconnect.inventory.enrolment): id, ARN, enrolled_at.
    enrolment = MapAttribute[str, Any](null=True)
    created_at = UnicodeAttribute()

    @staticmethod
    def key(equipment_id: str) -> tuple[str, str]:
        return f"EQUIP#{equipment_id}", "EQUIP"


class EquipmentListing(InventoryItem):
    """The machine's entry in the list index (the hot machine item stays off every index)."""

    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    equipment_id = UnicodeAttribute()

    @staticmethod
    def key(equipment_id: str) -> tuple[str, str]:
        return f"EQUIP#{equipment_id}", "LISTING"


class Rejected(InventoryItem):
    reason = UnicodeAttribute()
    topic_equipment_id = UnicodeAttribute(null=True)
    payload = UnicodeAttribute()


class RejectedCount(InventoryItem):
    count = NumberAttribute(default=0)
