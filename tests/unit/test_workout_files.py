"""Workout files read as the member's watch or phone wrote them, and the ones that cannot be trusted
refused whole with a reason a person understands."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from fitconnect.coaching import workout_files
from fitconnect.coaching.workout_files import UnreadableFile, Workout
from tests.support import workout_files as make

START = make.START


def _read(tmp_path, file_format, content, name="upload"):
    return workout_files.read(file_format, make.write(tmp_path, name, content))


def test_a_gpx_track_gives_its_start_time_distance_climb_and_heart_rate(tmp_path):
    [run] = _read(tmp_path, "gpx", make.gpx(minutes=30))
    assert (run.type, run.started_at, run.duration_s) == ("run", START, 1800)
    assert 4900 < run.distance_m < 5100  # 0.000025° of latitude every 10 s is ~2.8 m
    assert (run.avg_heart_rate, run.max_heart_rate) == (135, 150)  # 120 + minute, 0..30
    assert run.elevation_gain_m == 26.0  # 10..16 m, climbed 6 m in each of 4 full cycles and 2 more


def test_a_tcx_activity_sums_its_laps(tmp_path):
    [ride] = _read(tmp_path, "tcx", make.tcx(laps=2, lap_minutes=15))
    assert ride == Workout(
        type="ride",
        started_at=START,
        duration_s=1800,
        distance_m=15000.0,
        avg_heart_rate=135,  # trackpoints at 130 in lap one and 140 in lap two
        max_heart_rate=160,  # the laps' own maxima, which a sampled track can miss
        elevation_gain_m=12.0,
        calories=400,
    )


def test_a_fit_session_gives_its_figures_as_the_watch_summed_them(tmp_path):
    [run] = _read(tmp_path, "fit", make.fit(minutes=45))
    assert run == Workout(
        type="run",
        started_at=START,
        duration_s=2700,
        distance_m=8100.0,
        avg_heart_rate=142,
        max_heart_rate=171,
        elevation_gain_m=85.0,
        calories=520,
    )


def test_an_apple_health_export_gives_each_workout_with_heart_rate_from_statistics_or_records(tmp_path):
    workouts = _read(tmp_path, "apple_health", make.apple_health_zip(make.apple_health_xml(3, 10)))
    assert [w.started_at for w in workouts] == [START - timedelta(days=day) for day in range(3)]
    assert {(w.type, w.duration_s, w.distance_m, w.calories, w.elevation_gain_m) for w in workouts} == {
        ("run", 1800, 6200.0, 410, 45.0)
    }
    # Days 0 and 2 have no statistics: their records (120..129 bpm) are averaged; day 1 has its own.
    assert [(w.avg_heart_rate, w.max_heart_rate) for w in workouts] == [(124, 129), (150, 181), (124, 129)]


def test_a_workout_without_heart_rate_anywhere_has_none(tmp_path):
    [workout, *_] = _read(tmp_path, "apple_health", make.apple_health_zip(make.apple_health_xml(1, 0)))
    assert (workout.avg_heart_rate, workout.max_heart_rate) == (None, None)


@pytest.mark.parametrize(
    ("file_format", "content", "reason"),
    [
        ("fit", make.fit()[:-40], "ends early"),
        ("gpx", make.gpx()[:-200], "not complete XML"),
        ("tcx", make.tcx()[: len(make.tcx()) // 2], "not complete XML"),
        ("apple_health", make.apple_health_zip(make.apple_health_xml())[:-300], "not a zip file"),
        ("apple_health", make.apple_health_zip(make.apple_health_xml()[:-500]), "not complete XML"),
    ],
)
def test_a_file_cut_short_is_refused_whole_with_a_reason(tmp_path, file_format, content, reason):
    with pytest.raises(UnreadableFile, match=reason):
        _read(tmp_path, file_format, content)


def test_a_damaged_fit_file_fails_its_checksum(tmp_path):
    content = bytearray(make.fit())
    content[40] ^= 0xFF
    with pytest.raises(UnreadableFile, match=r"damaged|not a readable FIT"):
        _read(tmp_path, "fit", bytes(content))


@pytest.mark.parametrize("file_format", ["gpx", "tcx", "fit", "apple_health"])
def test_a_file_of_another_kind_is_refused(tmp_path, file_format):
    with pytest.raises(UnreadableFile):
        _read(tmp_path, file_format, b"%PDF-1.7 this is a pdf, not a workout")


def test_xml_entities_are_refused_before_they_expand(tmp_path):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>&b;</name></trk></gpx>'
    )
    with pytest.raises(UnreadableFile, match="entities"):
        _read(tmp_path, "gpx", laughs)


def test_a_zip_bomb_is_refused_without_unpacking_it(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "apple_health_export/export.xml", b"<HealthData>" + b" " * 20_000_000 + b"</HealthData>"
        )
    assert len(buffer.getvalue()) < 100_000  # 20 MB in well under 100 KB
    with pytest.raises(UnreadableFile, match="far more than any Health export"):
        _read(tmp_path, "apple_health", buffer.getvalue())


def test_a_zip_whose_header_understates_its_size_is_stopped_by_what_it_unpacks(tmp_path, monkeypatch):
    """The central directory's size is the sender's word; the bytes read are counted regardless."""
    monkeypatch.setattr(workout_files, "MAX_ZIP_RATIO", 10**9)  # pass the header check
    monkeypatch.setattr(workout_files, "MAX_EXPORT_XML_BYTES", 50_000)
    with pytest.raises(UnreadableFile, match="far more than any Health export"):
        _read(tmp_path, "apple_health", make.apple_health_zip(make.apple_health_xml(200, 20)))


def test_a_zip_without_an_export_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("holiday.jpg", b"\xff\xd8\xff")
    with pytest.raises(UnreadableFile, match=r"no export\.xml"):
        _read(tmp_path, "apple_health", buffer.getvalue())


def test_a_file_with_no_timed_workout_gives_a_reason(tmp_path):
    route = b'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
    route += b'<trkpt lat="51.5" lon="-0.12"/><trkpt lat="51.6" lon="-0.12"/></trkseg></trk></gpx>'
    with pytest.raises(UnreadableFile, match="no workout with a start time"):
        _read(tmp_path, "gpx", route)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("running", "run"),
        ("Biking", "ride"),
        ("HKWorkoutActivityTypeTraditionalStrengthTraining", "strength"),
        ("HKWorkoutActivityTypeHighIntensityIntervalTraining", "hiit"),
        ("open_water_swimming", "swim"),
        ("Hiking", "walk"),
        ("curling", "other"),
        (None, "other"),
    ],
)
def test_sport_names_of_every_format_map_to_our_activity_types(name, kind):
    assert workout_files.sport_type(name) == kind


def test_times_in_any_offset_are_stored_in_utc_whole_seconds(tmp_path):
    local = datetime(2026, 11, 2, 8, 30, 0, 600000, tzinfo=UTC).astimezone()
    [run] = _read(tmp_path, "gpx", make.gpx(start=local, minutes=10))
    assert run.started_at == datetime(2026, 11, 2, 8, 30, tzinfo=UTC)


def test_an_apple_export_declaring_entities_is_refused(tmp_path):
    xml = make.apple_health_xml(1, 1).replace(
        b"<!ATTLIST HealthData", b'<!ENTITY lol "lol"><!ATTLIST HealthData'
    )
    with pytest.raises(UnreadableFile, match="entities"):
        _read(tmp_path, "apple_health", make.apple_health_zip(xml))


def test_apple_times_keep_their_offset(tmp_path):
    xml = make.apple_health_xml(1, 0).replace(b"06:30:00 +0000", b"07:30:00 +0100")
    [workout] = _read(tmp_path, "apple_health", make.apple_health_zip(xml))
    assert workout.started_at == START


def test_an_export_of_tens_of_thousands_of_records_gives_every_workout_its_own_heart_rate(tmp_path):
    xml = make.apple_health_xml(workouts=300, records_per_workout=120)  # 36,000 heart-rate records
    workouts = _read(tmp_path, "apple_health", make.apple_health_zip(xml))
    assert len(workouts) == 300
    assert len({w.started_at for w in workouts}) == 300
    from_records = [w for index, w in enumerate(workouts) if index % 2 == 0]
    # each workout's 120 records run 120..159 bpm three times: only its own are counted
    assert {(w.avg_heart_rate, w.max_heart_rate) for w in from_records} == {(140, 159)}
