"""The analytics context's items, in the analytics table (`ANALYTICS_TABLE`).

| item | pk | sk |
|---|---|---|
| report row: one day's figures of one dimension | `REPORTS` | `<day>#<dimension>` |
| counted event (each domain event counts once) | `COUNTED#<event_id>` | `COUNTED` (expires in 14 days) |
| the days a member is in `members` (their erasure takes them out) | `MEMBER#<user_id>` | `DAYS` |

Dimensions: `TOTAL`, `TRAINER#<id>` (also on gsi1: `TRAINER#<id>` / `<day>`), `KIND#<kind>`,
`SESSION#<id>`.

Every report reads one range of `REPORTS` (the days asked for, every dimension of each day: a
handful of rows a day), the trainer's own report one range of their gsi1 rows: never a scan.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from fitconnect.platform.storage import ContextItem, gsi1_index, table_meta

TABLE_ENV = "ANALYTICS_TABLE"
REPORTS_PK = "REPORTS"
COUNTED_DAYS = 14  # longer than an event can be redelivered (SQS keeps messages 4 days)


class AnalyticsItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class ReportRow(AnalyticsItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    day = UnicodeAttribute(null=True)
    dimension = UnicodeAttribute(null=True)
    confirmed = NumberAttribute(null=True)
    cancelled = NumberAttribute(null=True)
    waitlisted = NumberAttribute(null=True)
    attended = NumberAttribute(null=True)
    no_show = NumberAttribute(null=True)
    sessions_held = NumberAttribute(null=True)
    capacity = NumberAttribute(null=True)
    revenue_cents = NumberAttribute(null=True)
    refunds_cents = NumberAttribute(null=True)
    new_members = NumberAttribute(null=True)
    members = UnicodeSetAttribute(null=True)  # who booked that day (TOTAL rows: active members)
    currency = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)  # SESSION rows
    trainer_id = UnicodeAttribute(null=True)  # SESSION rows

    @staticmethod
    def key(day: str, dimension: str) -> tuple[str, str]:
        return REPORTS_PK, f"{day}#{dimension}"


class MemberDays(AnalyticsItem):
    days = UnicodeSetAttribute(null=True)

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", "DAYS"


class CountedEvent(AnalyticsItem):
    expires_at = NumberAttribute()

    @staticmethod
    def key(event_id: str) -> tuple[str, str]:
        return f"COUNTED#{event_id}", "COUNTED"
