"""File imports on moto: the upload form holds the declared size and type; an uploaded file becomes
activities once, however often its event comes and wherever a delivery was cut short."""

import base64
import json
from datetime import timedelta

import pytest

from fitconnect.platform import clock
from fitconnect.platform.errors import TooManyRequests, Unprocessable
from tests.support import workout_files as make

USER = "01JDUSER00000000000000000A"


@pytest.fixture
def imports(function_env):
    with function_env("StartImportFunction"), function_env("ParseImportFunction"):
        from fitconnect.coaching import imports

        yield imports


def _bucket():
    import os

    return os.environ["IMPORTS_BUCKET"]


def _s3():
    from fitconnect.platform import aws

    return aws.client("s3")


def _start(imports, file_format, content, user=USER):
    request = imports.ImportRequest(format=file_format, content_length=len(content))
    return imports.start(user, request)


def _upload(imports, started, content):
    """What S3 does with the member's POST: the object under the form's key."""
    key = started["upload"]["fields"]["key"]
    _s3().put_object(Bucket=_bucket(), Key=key, Body=content)
    return key


def _deliver(imports, started, content):
    key = _upload(imports, started, content)
    imports.uploaded(_bucket(), key, len(content))
    return imports.status_of(USER, started["import_id"])


def _activities(user=USER):
    from fitconnect.coaching import activities

    return list(activities.of_member(user))


def test_the_upload_form_holds_the_exact_declared_size_type_and_a_key_of_the_member(imports):
    started = _start(imports, "fit", b"x" * 1234)
    fields = started["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1234, 1234] in policy["conditions"]
    assert {"Content-Type": "application/vnd.ant.fit"} in policy["conditions"]
    assert fields["key"] == f"imports/{USER}/{started['import_id']}.fit"
    assert (started["status"], started["max_bytes"], started["expires_in"]) == ("pending", 25 * 1024**2, 900)


def test_a_file_above_its_formats_cap_is_refused_before_anything_is_stored(imports):
    request = imports.ImportRequest(format="gpx", content_length=25 * 1024**2 + 1)
    with pytest.raises(Unprocessable) as refused:
        imports.start(USER, request)
    assert refused.value.code == "file_too_large"
    assert refused.value.details[0]["field"] == "content_length"
    assert imports.ImportRequest(format="apple_health", content_length=500 * 1024**2).content_length


def test_a_member_may_start_thirty_imports_a_day(imports, monkeypatch):
    for _ in range(imports.IMPORTS_PER_DAY):
        _start(imports, "gpx", b"x")
    with pytest.raises(TooManyRequests):
        _start(imports, "gpx", b"x")
    monkeypatch.setattr(clock, "now", lambda real=clock.now: real() + timedelta(days=1, minutes=1))
    assert _start(imports, "gpx", b"x")["status"] == "pending"


def test_an_uploaded_file_becomes_activities_and_is_deleted(imports):
    content = make.apple_health_zip(make.apple_health_xml(workouts=4))
    status = _deliver(imports, _start(imports, "apple_health", content), content)
    assert status["status"] == "done"
    assert (status["activities_created"], status["duplicates"], status["skipped"]) == (4, 0, 0)
    stored = _activities()
    assert {(a.source, a.type, int(a.duration_s)) for a in stored} == {("file", "run", 1800)}
    assert _s3().list_objects_v2(Bucket=_bucket()).get("KeyCount") == 0


def test_a_repeated_event_changes_nothing(imports):
    content = make.gpx()
    started = _start(imports, "gpx", content)
    first = _deliver(imports, started, content)
    imports.uploaded(_bucket(), started["upload"]["fields"]["key"], len(content))
    imports.uploaded(_bucket(), started["upload"]["fields"]["key"], len(content))
    assert imports.status_of(USER, started["import_id"]) == first
    assert len(_activities()) == 1


def test_the_same_workout_uploaded_again_is_counted_as_a_duplicate(imports):
    content = make.gpx()
    _deliver(imports, _start(imports, "gpx", content), content)
    again = _deliver(imports, _start(imports, "gpx", content), content)
    assert (again["status"], again["activities_created"], again["duplicates"]) == ("done", 0, 1)
    # the same run from the watch's FIT file starts at the same second: also a duplicate
    fit = make.fit(minutes=30)
    from_watch = _deliver(imports, _start(imports, "fit", fit), fit)
    assert (from_watch["activities_created"], from_watch["duplicates"]) == (0, 1)
    assert len(_activities()) == 1


def test_a_delivery_cut_short_is_finished_by_the_next_with_exact_counts(imports, monkeypatch):
    from fitconnect.coaching import activities

    content = make.apple_health_zip(make.apple_health_xml(workouts=3))
    started = _start(imports, "apple_health", content)
    key = _upload(imports, started, content)

    def crash(_made):
        raise ConnectionError("the function timed out here")

    with monkeypatch.context() as patched:
        patched.setattr(activities, "announce", crash)
        with pytest.raises(ConnectionError):
            imports.uploaded(_bucket(), key, len(content))
    assert imports.status_of(USER, started["import_id"])["status"] == "processing"
    imports.uploaded(_bucket(), key, len(content))
    status = imports.status_of(USER, started["import_id"])
    assert (status["status"], status["activities_created"], status["duplicates"]) == ("done", 3, 0)
    assert len(_activities()) == 3


def test_a_file_that_cannot_be_read_fails_with_its_reason_and_creates_nothing(imports):
    content = make.fit()[:-60]
    status = _deliver(imports, _start(imports, "fit", content), content)
    assert status["status"] == "failed"
    assert "cut short" in status["error"]
    assert status["activities_created"] == 0
    assert _activities() == []


def test_a_file_of_another_size_than_declared_fails(imports):
    content = make.gpx()
    started = _start(imports, "gpx", content)
    key = _upload(imports, started, content + b"  ")
    imports.uploaded(_bucket(), key, len(content) + 2)
    status = imports.status_of(USER, started["import_id"])
    assert (status["status"], _activities()) == ("failed", [])
    assert "size" in status["error"]


def test_an_impossible_workout_is_skipped_with_its_reason_and_the_rest_imported(imports):
    future = clock.now() + timedelta(days=2)
    content = make.apple_health_zip(make.apple_health_xml(workouts=4, start=future))
    status = _deliver(imports, _start(imports, "apple_health", content), content)
    # days 0 and 1 before `future` are in the future; days 2 and 3 are past
    assert (status["status"], status["activities_created"], status["skipped"]) == ("done", 2, 2)
    assert all("started_at is in the future" in reason for reason in status["skipped_reasons"])


def test_an_upload_without_its_import_is_deleted_and_nothing_else_happens(imports):
    key = f"imports/{USER}/01JDIMPORT0000000000000000A.gpx"
    _s3().put_object(Bucket=_bucket(), Key=key, Body=make.gpx())
    imports.uploaded(_bucket(), key, 10)
    assert _s3().list_objects_v2(Bucket=_bucket()).get("KeyCount") == 0
    assert _activities() == []


def test_another_members_import_is_not_found(imports):
    started = _start(imports, "gpx", b"x")
    from fitconnect.platform.errors import NotFound

    with pytest.raises(NotFound):
        imports.status_of("01JDUSER00000000000000000B", started["import_id"])
    with pytest.raises(NotFound):
        imports.status_of(USER, "not-an-id")
