"""Real-shaped workout files made by the project for the import tests: GPX with Garmin's heart-rate
extension, TCX laps and trackpoints, FIT written by fit-tool (sessions, CRC), and an Apple Health
export.zip with its DTD, records and workouts."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

START = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


def gpx(start: datetime = START, minutes: int = 30, kind: str = "running") -> bytes:
    points = []
    for second in range(0, minutes * 60 + 1, 10):
        moment = (start + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lat, elevation, rate = 51.5 + second * 0.000025, 10 + (second // 60) % 7, 120 + (second // 60)
        points.append(
            f'<trkpt lat="{lat:.6f}" lon="-0.1200"><ele>{elevation}</ele><time>{moment}</time>'
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{rate}</gpxtpx:hr>"
            "</gpxtpx:TrackPointExtension></extensions></trkpt>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="FitConnect tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Morning Run</name><type>{kind}</type><trkseg>{''.join(points)}</trkseg></trk></gpx>"
    ).encode()


def tcx(start: datetime = START, laps: int = 2, lap_minutes: int = 15, sport: str = "Biking") -> bytes:
    body = []
    for lap in range(laps):
        lap_start = start + timedelta(minutes=lap * lap_minutes)
        points = "".join(
            f"<Trackpoint><Time>{(lap_start + timedelta(seconds=s)).strftime('%Y-%m-%dT%H:%M:%SZ')}</Time>"
            f"<AltitudeMeters>{20 + (s // 120) % 5}</AltitudeMeters>"
            f"<HeartRateBpm><Value>{130 + lap * 10}</Value></HeartRateBpm></Trackpoint>"
            for s in range(0, lap_minutes * 60, 30)
        )
        body.append(
            f'<Lap StartTime="{lap_start.strftime("%Y-%m-%dT%H:%M:%SZ")}">'
            f"<TotalTimeSeconds>{lap_minutes * 60}</TotalTimeSeconds><DistanceMeters>7500</DistanceMeters>"
            f"<Calories>200</Calories>"
            f"<MaximumHeartRateBpm><Value>{150 + lap * 10}</Value></MaximumHeartRateBpm>"
            f"<Track>{points}</Track></Lap>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{start.strftime("%Y-%m-%dT%H:%M:%SZ")}</Id>'
        f"{''.join(body)}</Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def fit(start: datetime = START, minutes: int = 45, sport: str = "RUNNING") -> bytes:
    """A FIT activity file: file id, records, a session (sport, start, time, distance, heart rate)."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import FileType, Manufacturer, Sport

    millis = int(start.timestamp() * 1000)
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.time_created = millis
    file_id.serial_number = 0x12345678
    builder.add(file_id)
    for second in range(0, minutes * 60, 60):
        record = RecordMessage()
        record.timestamp = millis + second * 1000
        record.heart_rate = 140 + (second // 600)
        record.distance = second * 3.0
        builder.add(record)
    session = SessionMessage()
    session.timestamp = millis + minutes * 60 * 1000
    session.start_time = millis
    session.sport = getattr(Sport, sport)
    session.total_elapsed_time = minutes * 60.0
    session.total_timer_time = minutes * 60.0
    session.total_distance = minutes * 60 * 3.0
    session.avg_heart_rate = 142
    session.max_heart_rate = 171
    session.total_ascent = 85
    session.total_calories = 520
    builder.add(session)
    return builder.build().to_bytes()


APPLE_DTD = """<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record type CDATA #REQUIRED unit CDATA #IMPLIED value CDATA #IMPLIED
  startDate CDATA #REQUIRED endDate CDATA #REQUIRED>
]>"""


def _apple_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S +0000")


def apple_health_xml(workouts: int = 3, records_per_workout: int = 10, start: datetime = START) -> bytes:
    """An export.xml: heart-rate records first (as Apple writes them), then the workouts; every
    other workout carries its own heart-rate statistics, the rest need the records."""
    out = io.StringIO()
    write_apple_health(out, workouts, records_per_workout, start)
    return out.getvalue().encode()


def write_apple_health(out: io.TextIOBase, workouts: int, records_per_workout: int, start: datetime) -> None:
    out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n{APPLE_DTD}\n<HealthData locale="en_GB">\n')
    out.write('<ExportDate value="2026-11-29 10:00:00 +0000"/><Me HKCharacteristicTypeIdentifierSex=""/>\n')
    for day in range(workouts):
        began = start - timedelta(days=day)
        for sample in range(records_per_workout):
            moment = began + timedelta(seconds=sample * (1800 // max(records_per_workout, 1)))
            out.write(
                f'<Record type="HKQuantityTypeIdentifierHeartRate" sourceName={quoteattr("Watch")} '
                f'unit="count/min" startDate="{_apple_time(moment)}" endDate="{_apple_time(moment)}" '
                f'value="{120 + sample % 40}"/>\n'
            )
        out.write(
            f'<Record type="HKQuantityTypeIdentifierStepCount" unit="count" startDate="{_apple_time(began)}" '
            f'endDate="{_apple_time(began)}" value="12"/>\n'
        )
    for day in range(workouts):
        began = start - timedelta(days=day)
        statistics = (
            '<WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" '
            f'startDate="{_apple_time(began)}" endDate="{_apple_time(began + timedelta(minutes=30))}" '
            'average="150" minimum="100" maximum="181" unit="count/min"/>'
            if day % 2
            else ""
        )
        out.write(
            '<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" durationUnit="min" '
            'totalDistance="6.2" totalDistanceUnit="km" totalEnergyBurned="410" totalEnergyBurnedUnit="kcal" '
            f'sourceName="Watch" startDate="{_apple_time(began)}" '
            f'endDate="{_apple_time(began + timedelta(minutes=30))}">'
            f'<MetadataEntry key="HKElevationAscended" value="4500 cm"/>{statistics}</Workout>\n'
        )
    out.write("</HealthData>\n")


def apple_health_zip(xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", xml)
        archive.writestr("apple_health_export/export_cda.xml", "<ClinicalDocument/>")
    return buffer.getvalue()


def write(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path
