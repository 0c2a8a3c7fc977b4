"""Workout files into the activity log: `POST /me/imports` hands out a presigned S3 POST for one
file of a declared format and size; the upload's S3 event (EventBridge → the imports queue) makes
the parser read it (workout_files), store each workout once (activities.import_workout) and
record what happened on the import: `GET /me/imports/{id}`.

The S3 POST policy holds the exact declared size (25 MB at most for GPX/TCX/FIT, 500 MB for an
Apple Health export), the content type and the key, so what lands is what was asked for. The
file is deleted once read, whatever the outcome: the activities are what the member keeps.
A file that cannot be read fails whole, with its reason; a workout in it that cannot be true
(a 30-hour run) is skipped and counted, and the rest are imported.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from fitconnect.coaching import activities, workout_files
from fitconnect.coaching.models import Activity, Import
from fitconnect.platform import aws, clock, ids
from fitconnect.platform.contract import RequestBody, View
from fitconnect.platform.errors import ApiError, NotFound, TooManyRequests, Unprocessable
from fitconnect.platform.observability import logger, metrics
from fitconnect.platform.settings import env
from fitconnect.platform.storage import conditional_save, get_item

BUCKET_VAR = "IMPORTS_BUCKET"
MB = 1024 * 1024
MAX_BYTES = {"gpx": 25 * MB, "tcx": 25 * MB, "fit": 25 * MB, "apple_health": 500 * MB}
SUFFIX = {"gpx": "gpx", "tcx": "tcx", "fit": "fit", "apple_health": "zip"}
CONTENT_TYPE = {
    "gpx": "application/gpx+xml",
    "tcx": "application/vnd.garmin.tcx+xml",
    "fit": "application/vnd.ant.fit",
    "apple_health": "application/zip",
}
UPLOAD_SECONDS = 900
IMPORTS_PER_DAY = 30  # a member's history arrives in a handful of files; more is a script gone wrong
MAX_SKIPPED_REASONS = 5
KEY_PREFIX = "imports/"


class ImportRequest(RequestBody):
    format: Literal["gpx", "tcx", "fit", "apple_health"]
    content_length: int = Field(ge=1, le=MAX_BYTES["apple_health"], description="the file's size in bytes")


class UploadForm(View):
    url: str
    fields: dict[str, str]


class ImportView(View):
    import_id: str
    format: str
    status: Literal["pending", "processing", "done", "failed"]
    activities_created: int
    duplicates: int
    skipped: int
    skipped_reasons: list[str]
    error: str | None
    created_at: str
    finished_at: str | None


class StartedImportView(ImportView):
    upload: UploadForm
    expires_in: int
    max_bytes: int


def start(user_id: str, request: ImportRequest) -> dict[str, Any]:
    """A pending import and the form that uploads its file; the 201's body."""
    cap = MAX_BYTES[request.format]
    if request.content_length > cap:
        raise Unprocessable(
            f"A {request.format} file may be at most {cap // MB} MB.",
            code="file_too_large",
            details=[{"field": "content_length", "message": f"at most {cap} bytes for {request.format}"}],
        )
    _check_daily_allowance(user_id)
    import_id = ids.new_id()
    key = f"{KEY_PREFIX}{user_id}/{import_id}.{SUFFIX[request.format]}"
    record = Import(
        *Import.key(user_id, import_id),
        user_id=user_id,
        import_id=import_id,
        format=request.format,
        status="pending",
        content_length=request.content_length,
        object_key=key,
        created_at=clock.now_iso(),
    )
    record.save()
    upload = aws.upload_form(
        env(BUCKET_VAR),
        key,
        content_type=CONTENT_TYPE[request.format],
        min_bytes=request.content_length,  # exactly the size declared
        max_bytes=request.content_length,
        expires_in=UPLOAD_SECONDS,
    )
    return {**view(record), "upload": upload, "expires_in": UPLOAD_SECONDS, "max_bytes": cap}


def _check_daily_allowance(user_id: str) -> None:
    since = ids.earliest_id(clock.now() - timedelta(days=1))
    recent = Import.query(
        f"MEMBER#{user_id}", Import.sk.between(f"IMPORT#{since}", "IMPORT#~"), limit=IMPORTS_PER_DAY
    )
    if sum(1 for _ in recent) >= IMPORTS_PER_DAY:
        raise TooManyRequests(
            f"At most {IMPORTS_PER_DAY} imports a day.", retry_after_s=3600, code="too_many_imports"
        )


def status_of(user_id: str, import_id: str) -> dict[str, Any]:
    """The caller's own import; anyone else's is a 404, as if it did not exist (the key holds the owner)."""
    record = (
        get_item(Import, Import.key(user_id, import_id), consistent=True) if ids.is_id(import_id) else None
    )
    if record is None:
        raise NotFound("No such import.", code="import_not_found")
    return view(record)


def view(record: Import) -> dict[str, Any]:
    return {
        "import_id": record.import_id,
        "format": record.format,
        "status": record.status,
        "activities_created": int(record.activities_created),
        "duplicates": int(record.duplicates),
        "skipped": int(record.skipped),
        "skipped_reasons": list(record.skipped_reasons or []),
        "error": record.error,
        "created_at": record.created_at,
        "finished_at": record.finished_at,
    }


# ---------------------------------------------------------------- the parser (S3 event → queue → function)


def uploaded(bucket: str, key: str, size: int) -> None:
    """Read the uploaded file at `key` into the member's activities, once however often the event
    comes. The key is ours (`imports/<user_id>/<import_id>.<suffix>`), made by `start`."""
    owner, _, name = key.removeprefix(KEY_PREFIX).partition("/")
    record = get_item(Import, Import.key(owner, name.partition(".")[0]), consistent=True)
    if record is None or record.object_key != key:
        logger.warning("an upload without its import is deleted", extra={"key": key})
        _delete(bucket, key)
        return
    if record.status in ("done", "failed"):
        _delete(bucket, key)  # a repeat delivery: the outcome is recorded
        return
    if size != int(record.content_length):
        _finish(
            record, bucket, error="The uploaded file's size differs from the size declared; upload it again."
        )
        return
    record.status = "processing"
    if not conditional_save(record, Import.status.is_in("pending", "processing")):
        return  # finished by a concurrent delivery meanwhile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(key).name
        aws.client("s3").download_file(bucket, key, str(path))
        try:
            workouts = workout_files.read(str(record.format), path)
        except workout_files.UnreadableFile as unreadable:
            _finish(record, bucket, error=unreadable.reason)
            return
    _store(record, workouts)
    _finish(record, bucket)


def _store(record: Import, workouts: list[workout_files.Workout]) -> None:
    created: list[Activity] = []
    duplicates, skipped, reasons = 0, 0, []
    for workout in workouts:
        try:
            made = activities.import_workout(
                str(record.user_id),
                activities.from_workout(workout),
                source="file",
                origin=str(record.import_id),
            )
        except (ValidationError, ApiError) as refused:
            skipped += 1
            if len(reasons) < MAX_SKIPPED_REASONS:
                reasons.append(f"{workout.type} on {clock.to_iso(workout.started_at)}: {_reason(refused)}")
            continue
        if made is None:
            duplicates += 1
        else:
            created.append(made)
    activities.announce(created)
    record.activities_created, record.duplicates = len(created), duplicates
    record.skipped, record.skipped_reasons = skipped, reasons
    metrics.add_metric(name="ActivitiesImported", unit="Count", value=len(created))


def _reason(refused: Exception) -> str:
    if isinstance(refused, ValidationError):
        first = refused.errors()[0]
        return f"{'.'.join(str(part) for part in first['loc'])} {first['msg'].lower()}"
    details = getattr(refused, "details", None) or []
    return "; ".join(f"{d['field']} {d['message']}" for d in details) or str(refused)


def _finish(record: Import, bucket: str, *, error: str | None = None) -> None:
    record.status = "failed" if error else "done"
    record.error = error
    record.finished_at = clock.now_iso()
    record.save()
    if error:
        logger.info("an import failed", extra={"import_id": record.import_id, "reason": error})
    _delete(bucket, str(record.object_key))


def _delete(bucket: str, key: str) -> None:
    aws.client("s3").delete_object(Bucket=bucket, Key=key)
