"""Workout files over HTTP on the local runtime: a member asks for an upload form, posts the file to
S3 (moto, with S3's policy checks), and the upload's event (EventBridge → queue → parser) brings
the workouts into GET /me/activities and GET /me/insights."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.support import workout_files as make
from tests.support.local import eventually

CONTENT_TYPES = {
    "gpx": "application/gpx+xml",
    "fit": "application/vnd.ant.fit",
    "apple_health": "application/zip",
}


def _recent(days_ago: int) -> datetime:
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(hour=6, minute=30, second=0, microsecond=0)


def _start(api, member, file_format, content):
    reply = api.post(
        "/me/imports", {"format": file_format, "content_length": len(content)}, token=member["access_token"]
    )
    assert reply.status == 201, reply.body
    return reply.body


def _post_form(started, content, **field_changes):
    fields = {**started["upload"]["fields"], **field_changes}
    return requests.post(
        started["upload"]["url"], data=fields, files={"file": ("upload", content)}, timeout=30
    )


def _finished(api, member, import_id):
    def check():
        reply = api.get(f"/me/imports/{import_id}", token=member["access_token"])
        return reply.body if reply.body["status"] in ("done", "failed") else None

    return eventually(check, timeout_s=60)


def _import(api, member, file_format, content):
    started = _start(api, member, file_format, content)
    posted = _post_form(started, content)
    assert posted.status_code == 204, posted.text
    return _finished(api, member, started["import_id"])


def _my_activities(api, member):
    return api.get("/me/activities?limit=100", token=member["access_token"]).body["items"]


def test_every_format_becomes_activities_the_insights_count(api):
    member = api.member()
    before = api.get("/me/insights", token=member["access_token"]).body
    files = [
        ("gpx", make.gpx(start=_recent(1), minutes=40)),
        ("fit", make.fit(start=_recent(2), minutes=45, sport="CYCLING")),
        ("tcx", make.tcx(start=_recent(3))),
        ("apple_health", make.apple_health_zip(make.apple_health_xml(workouts=2, start=_recent(5)))),
    ]
    for file_format, content in files:
        status = _import(api, member, file_format, content)
        assert status["status"] == "done", status
        assert status["activities_created"] == (2 if file_format == "apple_health" else 1)
    activities = _my_activities(api, member)
    assert sorted((a["type"], a["started_at"][:10]) for a in activities) == sorted(
        [
            ("run", _recent(1).date().isoformat()),
            ("ride", _recent(2).date().isoformat()),
            ("ride", _recent(3).date().isoformat()),
            ("run", _recent(5).date().isoformat()),
            ("run", _recent(6).date().isoformat()),
        ]
    )
    assert {a["source"] for a in activities} == {"file"}
    fit_ride = next(a for a in activities if a["started_at"].startswith(_recent(2).date().isoformat()))
    assert (fit_ride["avg_heart_rate"], fit_ride["max_heart_rate"], fit_ride["elevation_gain_m"]) == (
        142,
        171,
        85.0,
    )
    assert fit_ride["load_method"] == "trimp"  # heart rate drives the load

    def insights_moved():
        after = api.get("/me/insights", token=member["access_token"]).body
        return after if after["training_load"]["acute_7d"] > before["training_load"]["acute_7d"] else None

    eventually(insights_moved, timeout_s=30)


def test_the_same_file_twice_is_one_activity_and_a_duplicate(api):
    member = api.member()
    content = make.gpx(start=_recent(2))
    assert _import(api, member, "gpx", content)["activities_created"] == 1
    again = _import(api, member, "gpx", content)
    assert (again["activities_created"], again["duplicates"]) == (0, 1)
    assert len(_my_activities(api, member)) == 1


def test_a_file_cut_short_fails_with_a_reason_and_leaves_no_activity(api):
    member = api.member()
    status = _import(api, member, "fit", make.fit(start=_recent(1))[:-50])
    assert status["status"] == "failed"
    assert "cut short" in status["error"]
    assert _my_activities(api, member) == []


def test_s3_refuses_what_the_form_does_not_allow(api):
    member = api.member()
    content = make.gpx(start=_recent(1))
    started = _start(api, member, "gpx", content)
    bigger = _post_form(started, content + b" " * 10)
    assert (bigger.status_code, "EntityTooLarge" in bigger.text) == (400, True)
    other_type = _post_form(started, content, **{"Content-Type": "text/html"})
    assert other_type.status_code == 403
    other_key = _post_form(started, content, key=started["upload"]["fields"]["key"].replace(".gpx", ".html"))
    assert other_key.status_code == 403
    status = api.get(f"/me/imports/{started['import_id']}", token=member["access_token"]).body
    assert status["status"] == "pending"  # nothing landed, nothing ran


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"format": "gpx", "content_length": 26 * 1024 * 1024}, 422, "file_too_large"),
        ({"format": "docx", "content_length": 10}, 400, "validation_failed"),
        ({"format": "fit", "content_length": 0}, 400, "validation_failed"),
        ({"format": "fit", "content_length": "10"}, 400, "validation_failed"),
    ],
)
def test_a_bad_request_is_refused_and_starts_nothing(api, body, status, code):
    member = api.member()
    reply = api.post("/me/imports", body, token=member["access_token"])
    assert (reply.status, reply.error_code) == (status, code)


def test_imports_are_private_to_their_member(api):
    owner, other = api.member(), api.member()
    started = _start(api, owner, "gpx", make.gpx(start=_recent(1)))
    reply = api.get(f"/me/imports/{started['import_id']}", token=other["access_token"])
    assert (reply.status, reply.error_code) == (404, "import_not_found")
    assert api.post("/me/imports", {"format": "gpx", "content_length": 5}).status == 401
