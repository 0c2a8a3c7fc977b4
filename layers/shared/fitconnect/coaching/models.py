"""The coaching context's items, all in the coaching table (`COACHING_TABLE`).

| item | pk | sk |
|---|---|---|
| activity | `ACTIVITY#<activity_id>` | `ACTIVITY` (gsi1: `MEMBER#<user_id>` / `<started_at>#<activity_id>`) |
| personal record | `MEMBER#<user_id>` | `RECORD#<metric>#<exercise_id or activity type>` |
| training entry (an activity, as insights count it) | `MEMBER#<user_id>` | `DAY#<started_at>#<activity_id>` |
| training plan (the member's current one) | `MEMBER#<user_id>` | `PLAN` |
| active that week (the weekly summary's list) | `ACTIVE#<monday>` | `MEMBER#<user_id>` (expires in 3 weeks) |
| file import (its progress and counts) | `MEMBER#<user_id>` | `IMPORT#<import_id>` |
| Strava activity imported (ours and its fingerprint) | `MEMBER#<user_id>` | `STRAVA#<strava activity id>` |
| Strava connection (tokens, KMS-encrypted) | `INTEGRATION#<user_id>` | `STRAVA` |
| Strava athlete → member | `STRAVA_ATHLETE#<athlete_id>` | `ATHLETE` |
| OAuth state claimed (single use; expires) | `STRAVA_STATE#<nonce>` | `STATE` |
| Strava webhook event seen (dedupe; expires in 2 days) | `STRAVA_EVENT#<digest>` | `EVENT` |
| Strava's rate limits as last reported | `STRAVA_LIMITS` | `LIMITS` |

The connection lives outside the member's partition: erasing their coaching data (public.forget)
must not drop the tokens before the connection's worker has revoked them at Strava.

Training entries are what `GET /me/insights` and `GET /me/plan` read: one query of the member's
partition over the weeks asked for, whatever the length of their history. The events consumer
(insights.track / untrack) keeps them in step with the activity log.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from fitconnect.platform.storage import ContextItem, gsi1_index, table_meta

TABLE_ENV = "COACHING_TABLE"


class CoachingItem(ContextItem):
    Meta = table_meta(TABLE_ENV)


class Activity(CoachingItem):
    gsi1 = gsi1_index()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    activity_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    type = UnicodeAttribute()
    source = UnicodeAttribute(default="manual")  # manual | class | strava | file
    started_at = UnicodeAttribute()
    duration_s = NumberAttribute()
    distance_m = NumberAttribute(null=True)
    calories = NumberAttribute(null=True)
    avg_heart_rate = NumberAttribute(null=True)
    max_heart_rate = NumberAttribute(null=True)
    rpe = NumberAttribute(null=True)
    sets = ListAttribute(of=MapAttribute, default=list)  # [{exercise_id, reps, weight_kg?, rpe?}]
    notes = UnicodeAttribute(null=True)
    elevation_gain_m = NumberAttribute(null=True)
    origin = UnicodeAttribute(null=True)  # the import that made it (a repeat delivery recognises its own)
    load = NumberAttribute()
    load_method = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(activity_id: str) -> tuple[str, str]:
        return f"ACTIVITY#{activity_id}", "ACTIVITY"


class Record(CoachingItem):
    user_id = UnicodeAttribute()
    metric = UnicodeAttribute()  # e1rm_kg | heaviest_kg | most_reps | longest_distance_m | best_pace_s_per_km
    subject = UnicodeAttribute()  # the exercise, or the activity type for distance and pace
    value = NumberAttribute()
    activity_id = UnicodeAttribute()
    achieved_at = UnicodeAttribute()

    @staticmethod
    def key(user_id: str, metric: str, subject: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", f"RECORD#{metric}#{subject}"

    def view(self) -> dict[str, Any]:
        subject = {"exercise_id": self.subject} if self.metric in EXERCISE_METRICS else {"type": self.subject}
        return {
            **subject,
            "metric": self.metric,
            "value": float(self.value),
            "activity_id": self.activity_id,
            "achieved_at": self.achieved_at,
        }


EXERCISE_METRICS = ("e1rm_kg", "heaviest_kg", "most_reps")


class TrainingEntry(CoachingItem):
    """One activity as insights count it: its load, and its sets per muscle, per movement pattern
    and per exercise (from the catalogue), so nothing needs the activity or the catalogue again."""

    user_id = UnicodeAttribute()
    activity_id = UnicodeAttribute()
    type = UnicodeAttribute()
    started_at = UnicodeAttribute()
    duration_s = NumberAttribute()
    distance_m = NumberAttribute(null=True)
    load = NumberAttribute()
    muscle_sets = MapAttribute[str, Any](default=dict)  # muscle -> sets (a secondary muscle counts half)
    pattern_sets = MapAttribute[str, Any](default=dict)  # movement pattern -> sets
    lifts = MapAttribute[str, Any](default=dict)  # exercise_id -> {"e1rm": kg, "sets": [[reps, kg], ...]}

    @staticmethod
    def key(user_id: str, started_at: str, activity_id: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", f"DAY#{started_at}#{activity_id}"


class Plan(CoachingItem):
    """The member's current plan; a new POST /me/plan replaces it. `document` is the plan as the API
    shows it (weeks, workouts, targets, rationale), kept as JSON: it is read and written whole."""

    user_id = UnicodeAttribute()
    plan_id = UnicodeAttribute()
    request = MapAttribute[str, Any]()
    document = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", "PLAN"


class ActiveWeek(CoachingItem):
    """The member trained in the week starting `monday` (UTC): the weekly summaries go to these.
    `summarised` is set once their summary is out; the item expires after ACTIVE_WEEK_DAYS."""

    user_id = UnicodeAttribute()
    summarised = BooleanAttribute(null=True)
    expires_at = NumberAttribute()

    @staticmethod
    def key(monday: str, user_id: str) -> tuple[str, str]:
        return f"ACTIVE#{monday}", f"MEMBER#{user_id}"


ACTIVE_WEEK_DAYS = 21


class Import(CoachingItem):
    """A workout file a member uploads (imports.py): pending until its upload lands, then processing,
    then done with its counts or failed with a reason."""

    user_id = UnicodeAttribute()
    import_id = UnicodeAttribute()
    format = UnicodeAttribute()  # gpx | tcx | fit | apple_health
    status = UnicodeAttribute()  # pending | processing | done | failed
    content_length = NumberAttribute()
    object_key = UnicodeAttribute()
    activities_created = NumberAttribute(default=0)
    duplicates = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    skipped_reasons = ListAttribute(of=UnicodeAttribute, default=list)
    error = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)

    @staticmethod
    def key(user_id: str, import_id: str) -> tuple[str, str]:
        return f"MEMBER#{user_id}", f"IMPORT#{import_id}"


class StravaActivity(CoachingItem):
    """A Strava activity the member's connection imported: our activity and the workout's
    fingerprint, so an edit on Strava that changes the workout replaces it and one that does not
    (a new title) changes nothing."""

    user_id = UnicodeAttribute()
    strava_id = NumberAttribute()
    activity_id = UnicodeAttribute()
    fingerprint = UnicodeAttribute()

    @staticmethod
    def key(user_id: str, strava_id: int) -> tuple[str, str]:
        return f"MEMBER#{user_id}", f"STRAVA#{strava_id}"


class StravaConnection(CoachingItem):
    """The member's Strava account: its tokens as one KMS ciphertext (encryption context: the member),
    replaced on each refresh under `token_version` so two refreshes cannot both win."""

    user_id = UnicodeAttribute()
    athlete_id = NumberAttribute()
    scope = UnicodeAttribute()
    tokens = BinaryAttribute(legacy_encoding=False)
    access_expires_at = NumberAttribute()  # epoch seconds (the access token's; the refresh token lasts)
    token_version = NumberAttribute(default=1)
    connected_at = UnicodeAttribute()
    last_event_at = UnicodeAttribute(null=True)
    activities_imported = NumberAttribute(default=0)

    @staticmethod
    def key(user_id: str) -> tuple[str, str]:
        return f"INTEGRATION#{user_id}", "STRAVA"


class StravaAthlete(CoachingItem):
    """Which member a Strava athlete is (webhook events name the athlete only)."""

    user_id = UnicodeAttribute()

    @staticmethod
    def key(athlete_id: int) -> tuple[str, str]:
        return f"STRAVA_ATHLETE#{athlete_id}", "ATHLETE"


class OAuthStateClaim(CoachingItem):
    """An OAuth state's nonce, written once by the callback that uses it (expires with the state)."""

    user_id = UnicodeAttribute()

    @staticmethod
    def key(nonce: str) -> tuple[str, str]:
        return f"STRAVA_STATE#{nonce}", "STATE"


class StravaEventSeen(CoachingItem):
    """A webhook event already queued: Strava retries an event it thinks was not received."""

    @staticmethod
    def key(digest: str) -> tuple[str, str]:
        return f"STRAVA_EVENT#{digest}", "EVENT"


class StravaLimits(CoachingItem):
    """Until when Strava's rate limits hold further calls (epoch seconds), as its last answer said."""

    blocked_until = NumberAttribute(default=0)

    @staticmethod
    def key() -> tuple[str, str]:
        return "STRAVA_LIMITS", "LIMITS"
