"""The member's activity log: strength sessions (sets of exercise, reps, weight, RPE) and endurance
sessions (duration, distance, heart rate, RPE), each with its training load (training.py) and the
personal records it set (records.py).

What cannot be true is refused before anything is stored: out-of-range numbers are a 400 naming the
field (the request model); a start more than 5 minutes ahead, an average heart rate above the
maximum, a speed no human reaches for the type, or an exercise the catalogue does not have are a 422
naming the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from fitconnect.coaching import catalogue, records, training
from fitconnect.coaching.models import Activity
from fitconnect.platform import clock, ids
from fitconnect.platform.contract import Instant, PlainText, RequestBody, View
from fitconnect.platform.cursors import members_page
from fitconnect.platform.errors import NotFound, Unprocessable
from fitconnect.platform.events import DomainEvent, publish
from fitconnect.platform.storage import conditional_save, get_item
from fitconnect.platform.text import one_line
from fitconnect.scheduling import public as scheduling

ActivityType = Literal["strength", "run", "ride", "swim", "walk", "row", "hiit", "yoga", "other"]
FUTURE_TOLERANCE = timedelta(minutes=5)  # a watch's clock may run a little ahead
# Sustained speeds no member reaches (m/s): faster than the world records over 1 km-plus distances.
TOP_SPEED = {"run": 10.5, "walk": 4.5, "ride": 25.0, "swim": 2.5, "row": 6.5}
# Words in a class's title and the activity type they mean, the first match winning.
CLASS_WORDS = (
    ("yoga", "yoga"),
    ("pilates", "yoga"),
    ("stretch", "yoga"),
    ("spin", "ride"),
    ("cycl", "ride"),
    ("ride", "ride"),
    ("row", "row"),
    ("swim", "swim"),
    ("run", "run"),
    ("walk", "walk"),
    ("hiit", "hiit"),
    ("circuit", "hiit"),
    ("bootcamp", "hiit"),
    ("strength", "strength"),
    ("lift", "strength"),
    ("kettlebell", "strength"),
    ("barbell", "strength"),
)
ExerciseId = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[a-z0-9-]+$")]


class SetEntry(RequestBody):
    exercise_id: ExerciseId
    reps: int = Field(ge=1, le=1000)
    weight_kg: float | None = Field(default=None, ge=0, le=1000)
    rpe: float | None = Field(default=None, ge=1, le=10)


class NewActivity(RequestBody):
    type: ActivityType
    started_at: Instant
    duration_s: int = Field(ge=1, le=24 * 3600)
    distance_m: float | None = Field(default=None, ge=0, le=1_000_000)
    calories: int | None = Field(default=None, ge=0, le=20_000)
    avg_heart_rate: int | None = Field(default=None, ge=25, le=250)
    max_heart_rate: int | None = Field(default=None, ge=25, le=250)
    rpe: float | None = Field(default=None, ge=1, le=10)
    sets: list[SetEntry] = Field(default_factory=list, max_length=200)
    notes: Annotated[str, StringConstraints(max_length=2000), PlainText] | None = None
    elevation_gain_m: float | None = Field(default=None, ge=0, le=20_000)


class PersonalRecordView(View):
    exercise_id: str | None = None
    type: str | None = None
    metric: str
    value: float
    activity_id: str
    achieved_at: str


class ActivityView(View):
    activity_id: str
    type: str
    source: str
    started_at: str
    duration_s: int
    distance_m: float | None
    calories: int | None
    avg_heart_rate: int | None
    max_heart_rate: int | None
    rpe: float | None
    sets: list[dict[str, Any]]
    notes: str | None
    elevation_gain_m: float | None = None
    load: float
    load_method: str
    created_at: str


class LoggedActivityView(ActivityView):
    personal_records: list[PersonalRecordView]


class ActivityLogged(DomainEvent):
    source = "fitconnect.coaching"
    detail_type = "ActivityLogged"
    activity_id: str
    user_id: str
    type: str
    started_at: str
    load: float


class ActivityDeleted(ActivityLogged):
    detail_type = "ActivityDeleted"


class PersonalRecordSet(DomainEvent):
    source = "fitconnect.coaching"
    detail_type = "PersonalRecordSet"
    user_id: str
    activity_id: str
    metric: str
    subject: str
    value: float


def log(user_id: str, body: NewActivity, *, source: str = "manual") -> dict[str, Any]:
    """Store the activity with its load, set the records it beats; the 201's body."""
    _check_possible(body)
    activity = _new_activity(user_id, body, source)
    activity.save()
    won = records.set_from(activity)
    events: list[DomainEvent] = [ActivityLogged(**_event_fields(activity))]
    events += [
        PersonalRecordSet(
            user_id=user_id,
            activity_id=activity.activity_id,
            metric=r.metric,
            subject=r.subject,
            value=r.value,
        )
        for r in won
    ]
    publish(events)
    return {**view(activity), "personal_records": records.views(won)}


def import_workout(
    user_id: str, body: NewActivity, *, source: str, origin: str, key: str | None = None
) -> Activity | None:
    """A workout from a file or an app, stored at most once: the activity when this import made it,
    None for a duplicate. Its id is derived from the member, the source and the start
    (ids.derived_id), so the same workout uploaded again is a duplicate. `origin` (the import) marks
    it: a repeat delivery of the same import recognises its own and finishes what a crash may have
    cut short (records are safe to repeat). `key` replaces the start in the id where the source
    has ids of its own (a Strava activity and its version). Raises Unprocessable for a workout
    that cannot be true. The caller announces what it made (`announce`), in batches."""
    _check_possible(body)
    activity_id = ids.derived_id(body.started_at, user_id, source, key or clock.to_iso(body.started_at))
    activity = _new_activity(user_id, body, source, activity_id=activity_id)
    activity.origin = origin
    if not conditional_save(activity, Activity.pk.does_not_exist()):
        stored = get_item(Activity, Activity.key(activity_id), consistent=True)
        if stored is None or stored.origin != origin:
            return None
        activity = stored
    records.set_from(activity)  # a PersonalRecordSet is for what a member logs by hand, not a backfill
    return activity


def from_workout(workout: Any) -> NewActivity:
    """A workout read from a file or an app (workout_files.Workout) as an activity to import."""
    fields = {name: value for name, value in vars(workout).items() if value is not None}
    fields["started_at"] = clock.to_iso(workout.started_at)
    return NewActivity.model_validate(fields)


def announce(imported: list[Activity]) -> None:
    """ActivityLogged for each imported activity (insights and the weekly summary follow them)."""
    publish([ActivityLogged(**_event_fields(activity)) for activity in imported])


def _check_possible(body: NewActivity) -> None:
    problems = []
    if body.started_at > clock.now() + FUTURE_TOLERANCE:
        problems.append({"field": "started_at", "message": "is in the future"})
    if body.avg_heart_rate and body.max_heart_rate and body.avg_heart_rate > body.max_heart_rate:
        problems.append({"field": "avg_heart_rate", "message": "is above max_heart_rate"})
    top = TOP_SPEED.get(body.type)
    if top and body.distance_m and body.distance_m / body.duration_s > top:
        problems.append({"field": "distance_m", "message": f"is faster than {top} m/s for a {body.type}"})
    for index, entry in enumerate(body.sets):
        if not catalogue.exists(entry.exercise_id):
            problems.append({"field": f"sets[{index}].exercise_id", "message": "is not in the catalogue"})
    if problems:
        unknown = any(p["field"].endswith("exercise_id") for p in problems)
        code = "unknown_exercise" if unknown else "impossible_activity"
        raise Unprocessable("This activity cannot be true as given.", code=code, details=problems)


def _new_activity(user_id: str, body: NewActivity, source: str, activity_id: str | None = None) -> Activity:
    activity_id = activity_id or ids.new_id()
    started_at = clock.to_iso(body.started_at)
    load, method = training.session_load(
        body.duration_s / 60,
        rpe=body.rpe,
        avg_hr=body.avg_heart_rate,
        max_hr=body.max_heart_rate or training.DEFAULT_MAX_HR,
    )
    return Activity(
        *Activity.key(activity_id),
        gsi1pk=f"MEMBER#{user_id}",
        gsi1sk=f"{started_at}#{activity_id}",
        activity_id=activity_id,
        user_id=user_id,
        type=body.type,
        source=source,
        started_at=started_at,
        duration_s=body.duration_s,
        distance_m=body.distance_m,
        calories=body.calories,
        avg_heart_rate=body.avg_heart_rate,
        max_heart_rate=body.max_heart_rate,
        rpe=body.rpe,
        sets=[entry.model_dump(exclude_none=True) for entry in body.sets],
        notes=body.notes,
        elevation_gain_m=body.elevation_gain_m,
        load=load,
        load_method=method,
        created_at=clock.now_iso(),
    )


def log_attended_class(booking_id: str, session_id: str, user_id: str) -> bool:
    """A class the member attended (BookingAttended), as an activity with `source: "class"`: its
    id is the booking's, so however often the event arrives there is one. True when made now.
    ActivityLogged goes out on every delivery (a lost publish is made good; its consumer repeats
    safely). The type is read from the title (`class_type`), the load is the default's."""
    session = scheduling.session_of(session_id)
    body = NewActivity(
        type=class_type(session.title),
        started_at=clock.parse(session.starts_at),
        duration_s=int(session.duration_min) * 60,
        notes=one_line(session.title),
    )
    activity = _new_activity(user_id, body, "class", activity_id=booking_id)
    made = conditional_save(activity, Activity.pk.does_not_exist())
    if not made:
        activity = activity_of(user_id, booking_id)
    publish([ActivityLogged(**_event_fields(activity))])
    return made


def class_type(title: str) -> str:
    """The activity type a class's title names (`Sunrise Yoga` is yoga), else `other`."""
    words = title.lower()
    return next((kind for word, kind in CLASS_WORDS if word in words), "other")


def _event_fields(activity: Activity) -> dict[str, Any]:
    return {
        "activity_id": activity.activity_id,
        "user_id": activity.user_id,
        "type": activity.type,
        "started_at": activity.started_at,
        "load": float(activity.load),
    }


def view(activity: Activity) -> dict[str, Any]:
    def number(value: Any, kind: type = float) -> Any:
        return None if value is None else kind(value)

    return {
        "activity_id": activity.activity_id,
        "type": activity.type,
        "source": activity.source,
        "started_at": activity.started_at,
        "duration_s": int(activity.duration_s),
        "distance_m": number(activity.distance_m),
        "calories": number(activity.calories, int),
        "avg_heart_rate": number(activity.avg_heart_rate, int),
        "max_heart_rate": number(activity.max_heart_rate, int),
        "rpe": number(activity.rpe),
        "sets": [_set_view(entry) for entry in activity.sets or []],
        "notes": activity.notes,
        "elevation_gain_m": number(activity.elevation_gain_m),
        "load": float(activity.load),
        "load_method": activity.load_method,
        "created_at": activity.created_at,
    }


def _set_view(entry: Any) -> dict[str, Any]:
    plain = entry.as_dict() if hasattr(entry, "as_dict") else dict(entry)
    shaped: dict[str, Any] = {"exercise_id": plain["exercise_id"], "reps": int(plain["reps"])}
    for name in ("weight_kg", "rpe"):
        if plain.get(name) is not None:
            shaped[name] = float(plain[name])
    return shaped


def activity_of(user_id: str, activity_id: str) -> Activity:
    """The caller's own activity; anyone else's is a 404, as if it did not exist."""
    found = get_item(Activity, Activity.key(activity_id), consistent=True)
    if found is None or found.user_id != user_id:
        raise NotFound("No such activity.", code="activity_not_found")
    return found


def listing(
    user_id: str,
    *,
    since: datetime | None,
    until: datetime | None,
    kind: str | None,
    limit: int | None,
    cursor: str | None,
) -> dict[str, Any]:
    """The member's activities, newest first, between `since` and `until` (by start), of one type."""
    low = clock.to_iso(since) if since else "0"
    high = (clock.to_iso(until) if until else "9") + "~"  # "~" sorts after "#<id>"
    only = (Activity.type == kind) if kind else None
    return members_page(
        limit, cursor, Activity, user_id, view, sort_key=Activity.gsi1sk.between(low, high), only=only
    )


def of_member(user_id: str) -> Iterable[Activity]:
    """Every activity of the member, newest first (their listing on gsi1)."""
    return Activity.gsi1.query(f"MEMBER#{user_id}", scan_index_forward=False)


def delete(user_id: str, activity_id: str) -> None:
    """The activity leaves the log and every figure: the records it held pass to the best remaining
    activity (a read of the member's log: deletes are rare)."""
    activity = activity_of(user_id, activity_id)
    activity.delete()
    records.reassign(user_id, activity_id, of_member(user_id))
    publish([ActivityDeleted(**_event_fields(activity))])
