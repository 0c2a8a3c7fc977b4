"""Workouts out of the files watches and phones write: GPX (gpxpy), TCX, FIT (fitdecode) and an Apple
Health `export.zip` (its `export.xml`, streamed).

Every reader returns whole workouts or raises `UnreadableFile` with a reason a person understands:
a file that is cut short, is not what its name says, or hides a zip bomb gives nothing, never half
a history. XML is read with defusedxml (no entity expansion, no external references); the Apple
Health export is parsed element by element and each element is freed once read, so memory follows
the number of workouts, not the size of the file.
"""

from __future__ import annotations

import bisect
import itertools
import zipfile
from array import array
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, SubElement

FORMATS = ("gpx", "tcx", "fit", "apple_health")
# A 500 MB export.zip holds up to ~16 GB of XML; read at ~45 MB/s (bench-imports), 24 GiB fits the
# parser's 15 minutes. A zip bomb stops here.
MAX_EXPORT_XML_BYTES = 24 * 1024**3
MAX_ZIP_RATIO = 100  # export.xml compresses 10-35:1 (bench-imports: 31:1); a bomb, a thousand and more
READ_CHUNK = 1024 * 1024
MAX_HEART_RATE_SAMPLES = 100_000_000  # a sample every 5 s for 15 years; 500 MB of arrays at most


class UnreadableFile(Exception):
    """The file gives no workout we can trust; `reason` is shown to the member as it is."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Workout:
    """One workout as a file tells it (seconds, metres, beats per minute)."""

    type: str  # an ActivityType of coaching.activities
    started_at: datetime  # aware, UTC, whole seconds
    duration_s: int
    distance_m: float | None = None
    avg_heart_rate: int | None = None
    max_heart_rate: int | None = None
    elevation_gain_m: float | None = None
    calories: int | None = None


# Words in a file's sport name and the activity type they mean, the first match winning.
SPORT_WORDS = (
    ("walk", "walk"),
    ("hik", "walk"),
    ("run", "run"),
    ("jog", "run"),
    ("bik", "ride"),
    ("cycl", "ride"),
    ("ride", "ride"),
    ("swim", "swim"),
    ("row", "row"),
    ("yoga", "yoga"),
    ("pilates", "yoga"),
    ("hiit", "hiit"),
    ("highintensity", "hiit"),  # before "training": Apple's HighIntensityIntervalTraining
    ("strength", "strength"),
    ("training", "strength"),  # FIT's "training", Apple's TraditionalStrengthTraining
)


def sport_type(name: str | None) -> str:
    words = (name or "").lower().replace("_", "").replace(" ", "")
    return next((kind for word, kind in SPORT_WORDS if word in words), "other")


def read(file_format: str, path: Path) -> list[Workout]:
    """The workouts in the file at `path`, which the member said is `file_format`."""
    readers = {"gpx": read_gpx, "tcx": read_tcx, "fit": read_fit, "apple_health": read_apple_health}
    workouts = readers[file_format](path)
    if not workouts:
        raise UnreadableFile("The file holds no workout with a start time and a duration.")
    return workouts


def _utc(moment: datetime) -> datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0)


def _workout(kind: str, start: datetime | None, end: datetime | None, **figures: Any) -> Workout | None:
    if start is None or end is None or end <= start:
        return None
    return Workout(
        type=kind, started_at=_utc(start), duration_s=round((end - start).total_seconds()), **figures
    )


def _heart_rates(rates: list[float]) -> dict[str, int | None]:
    plausible = [rate for rate in rates if 25 <= rate <= 250]
    if not plausible:
        return {"avg_heart_rate": None, "max_heart_rate": None}
    return {"avg_heart_rate": round(sum(plausible) / len(plausible)), "max_heart_rate": round(max(plausible))}


def _climb(altitudes: list[float]) -> float | None:
    if len(altitudes) < 2:
        return None
    return round(sum(max(0.0, b - a) for a, b in itertools.pairwise(altitudes)), 1)


# ---------------------------------------------------------------- GPX


def read_gpx(path: Path) -> list[Workout]:
    import gpxpy  # cold start: only the import worker reads files
    import gpxpy.gpx

    try:
        document = gpxpy.parse(_xml_text(path))
    except (gpxpy.gpx.GPXException, ValueError) as error:
        raise UnreadableFile(f"This is not a readable GPX file ({_first_line(error)}).") from None
    workouts = []
    for track in document.tracks:
        points = [point for segment in track.segments for point in segment.points if point.time]
        if not points:
            continue
        rates = [rate for point in points if (rate := _gpx_heart_rate(point)) is not None]
        found = _workout(
            sport_type(track.type or track.name),
            points[0].time,
            points[-1].time,
            distance_m=round(track.length_3d(), 1) or None,
            elevation_gain_m=_climb([point.elevation for point in points if point.elevation is not None]),
            **_heart_rates(rates),
        )
        if found:
            workouts.append(found)
    return workouts


def _gpx_heart_rate(point: Any) -> float | None:
    """Garmin's TrackPointExtension `<hr>` (any namespace prefix)."""
    for extension in point.extensions:
        for element in extension.iter():
            if element.tag.rsplit("}", 1)[-1] == "hr" and element.text:
                try:
                    return float(element.text)
                except ValueError:
                    return None
    return None


def _xml_text(path: Path) -> str:
    """The file's text once expat has read it through without building a tree (complete, no entity
    declared): gpxpy's own parser expands entities, and builds the file's objects itself."""
    with path.open("rb") as stream:
        scan_xml(stream, what="The file", source="upload")
    return path.read_text(encoding="utf-8", errors="replace")


def _defused_tree(path: Path) -> Any:
    from defusedxml import ElementTree  # cold start: as above
    from defusedxml.common import DefusedXmlException

    try:
        return ElementTree.parse(path)
    except DefusedXmlException:
        raise UnreadableFile("The file declares XML entities, which workout files never need.") from None
    except ElementTree.ParseError as error:
        raise UnreadableFile(f"The file is not complete XML ({error}); was the upload cut short?") from None


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


# ---------------------------------------------------------------- TCX


def read_tcx(path: Path) -> list[Workout]:
    """Garmin's Training Center XML: each Activity's laps (time, distance, calories, heart rate)."""
    root = _defused_tree(path).getroot()
    workouts = []
    for activity in _children(root, "Activities", "Activity"):
        laps = _children(activity, "Lap")
        starts = [_instant(lap.get("StartTime")) for lap in laps]
        seconds = sum(_number(_text(lap, "TotalTimeSeconds")) or 0 for lap in laps)
        start = next((moment for moment in starts if moment), None) or _instant(_text(activity, "Id"))
        points = [point for lap in laps for point in _children(lap, "Track", "Trackpoint")]
        rates = [_number(_text(point, "HeartRateBpm", "Value")) for point in points]
        if not any(rates):  # laps only: their averages weighted by time, their maxima
            rates = [_number(_text(lap, "AverageHeartRateBpm", "Value")) for lap in laps]
        altitudes = [_number(_text(point, "AltitudeMeters")) for point in points]
        distance = sum(_number(_text(lap, "DistanceMeters")) or 0 for lap in laps)
        calories = sum(_number(_text(lap, "Calories")) or 0 for lap in laps)
        figures = _heart_rates([rate for rate in rates if rate is not None])
        maxima = [_number(_text(lap, "MaximumHeartRateBpm", "Value")) for lap in laps]
        if any(maxima):
            figures["max_heart_rate"] = round(max(m for m in maxima if m is not None))
        if start is None or seconds <= 0:
            continue
        workouts.append(
            Workout(
                type=sport_type(activity.get("Sport")),
                started_at=_utc(start),
                duration_s=round(seconds),
                distance_m=round(distance, 1) or None,
                calories=round(calories) or None,
                elevation_gain_m=_climb([a for a in altitudes if a is not None]),
                **figures,
            )
        )
    return workouts


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Any, *path: str) -> list[Any]:
    found = [element]
    for name in path:
        found = [child for parent in found for child in parent if _local(child.tag) == name]
    return found


def _text(element: Any, *path: str) -> str | None:
    found = _children(element, *path)
    return found[0].text if found else None


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


# ---------------------------------------------------------------- FIT


def read_fit(path: Path) -> list[Workout]:
    """A FIT activity's session messages (one per sport of a multisport file), CRC checked."""
    import fitdecode  # cold start: as above

    workouts = []
    try:
        with fitdecode.FitReader(
            str(path), check_crc=fitdecode.CrcCheck.RAISE, error_handling=fitdecode.ErrorHandling.RAISE
        ) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "session":
                    found = _fit_session(frame)
                    if found:
                        workouts.append(found)
    except fitdecode.FitEOFError:
        raise UnreadableFile("The FIT file ends early; was the upload cut short?") from None
    except fitdecode.FitCRCError:
        raise UnreadableFile("The FIT file is damaged (its checksum does not match).") from None
    except fitdecode.FitError as error:
        raise UnreadableFile(f"This is not a readable FIT file ({_first_line(error)}).") from None
    return workouts


def _fit_session(frame: Any) -> Workout | None:
    def value(name: str) -> Any:
        return frame.get_value(name, fallback=None)

    start = value("start_time")
    seconds = value("total_elapsed_time") or value("total_timer_time")
    if not isinstance(start, datetime) or not seconds:
        return None
    figures = {
        "avg_heart_rate": value("avg_heart_rate"),
        "max_heart_rate": value("max_heart_rate"),
        "distance_m": round(float(value("total_distance")), 1) if value("total_distance") else None,
        "elevation_gain_m": float(value("total_ascent")) if value("total_ascent") is not None else None,
        "calories": value("total_calories"),
    }
    for name in ("avg_heart_rate", "max_heart_rate"):
        if figures[name] is not None and not 25 <= figures[name] <= 250:
            figures[name] = None
    kind = sport_type(str(value("sport") or ""))
    return Workout(type=kind, started_at=_utc(start), duration_s=round(float(seconds)), **figures)


# ---------------------------------------------------------------- Apple Health

HEART_RATE = "HKQuantityTypeIdentifierHeartRate"
DISTANCE_UNITS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "yd": 0.9144, "ft": 0.3048}
ENERGY_UNITS = {"kcal": 1.0, "Cal": 1.0, "kJ": 1 / 4.184}


def read_apple_health(path: Path) -> list[Workout]:
    """Workouts of an Apple Health export, with heart rate from their statistics or, for workouts
    that have none (exports before iOS 16), from the heart-rate records taken during them. Apple
    writes the records before the workouts, so one pass keeps every heart-rate sample in five
    bytes (a second and a bpm, at most MAX_HEART_RATE_SAMPLES) and folds them in at the end:
    a pass over the file is what costs (README, Imports)."""
    workouts: list[tuple[Workout, bool]] = []
    samples = _HeartRateSamples()
    with _export_xml(path) as stream:
        scan = _ExportScan(
            on_workout=lambda element: _keep(workouts, _apple_workout(element)), on_record=samples.add
        )
        scan.read(stream)
    windows = _HeartRateWindows([workout for workout, needs_records in workouts if needs_records])
    if windows.windows:
        for second, rate in zip(samples.seconds, samples.rates, strict=True):
            windows.add(second, rate)
    return [windows.applied(workout) if needs_records else workout for workout, needs_records in workouts]


def _keep(found: list[Any], item: Any) -> None:
    if item is not None:
        found.append(item)


class _CappedReader:
    """A zip member read with a hard cap: a header can lie about the size, the bytes cannot."""

    def __init__(self, member: IO[bytes], cap: int):
        self.member, self.cap, self.read_bytes = member, cap, 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.member.read(READ_CHUNK if size is None or size < 0 else size)
        self.read_bytes += len(chunk)
        if self.read_bytes > self.cap:
            raise UnreadableFile("The export unpacks to far more than any Health export; it was refused.")
        return chunk

    def __enter__(self) -> _CappedReader:
        return self

    def __exit__(self, *_: Any) -> None:
        self.member.close()


def _export_xml(path: Path) -> _CappedReader:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise UnreadableFile("This is not a zip file; upload the export.zip the Health app made.") from None
    entry = next((info for info in archive.infolist() if info.filename.endswith("export.xml")), None)
    if entry is None:
        raise UnreadableFile("The zip has no export.xml; upload the export.zip the Health app made.")
    if entry.file_size > MAX_EXPORT_XML_BYTES or entry.file_size > MAX_ZIP_RATIO * max(
        entry.compress_size, 1
    ):
        raise UnreadableFile("The export unpacks to far more than any Health export; it was refused.")
    return _CappedReader(archive.open(entry), min(MAX_EXPORT_XML_BYTES, MAX_ZIP_RATIO * entry.compress_size))


class _HeartRateSamples:
    """Every plausible heart-rate record as an unsigned second (to 2106) and a bpm: 5 bytes each."""

    def __init__(self) -> None:
        self.seconds, self.rates = array("I"), array("B")

    def add(self, record: dict[str, str]) -> None:
        if record.get("type") != HEART_RATE:
            return
        moment, rate = _instant_apple(record.get("startDate")), _number(record.get("value"))
        if moment is None or rate is None or not 25 <= rate <= 250 or moment.year < 1970:
            return
        if len(self.seconds) >= MAX_HEART_RATE_SAMPLES:
            raise UnreadableFile("The export holds more heart-rate records than fifteen years of a watch.")
        self.seconds.append(int(moment.timestamp()))
        self.rates.append(round(rate))


class _HeartRateWindows:
    """Heart-rate records folded into the workouts that contain them (sum, count and maximum each)."""

    def __init__(self, workouts: list[Workout]):
        self.windows = sorted(
            (int(w.started_at.timestamp()), int(w.started_at.timestamp()) + w.duration_s, w.started_at)
            for w in workouts
        )
        self.starts = [start for start, _end, _key in self.windows]
        self.longest = max((end - start for start, end, _key in self.windows), default=0)
        self.folded: dict[datetime, list[float]] = {}

    def add(self, second: int, rate: int) -> None:
        index = bisect.bisect_right(self.starts, second) - 1
        while index >= 0 and self.starts[index] >= second - self.longest:  # overlapping workouts too
            start, end, key = self.windows[index]
            if start <= second <= end:
                total, count, highest = self.folded.get(key, [0.0, 0.0, 0.0])
                self.folded[key] = [total + rate, count + 1, max(highest, rate)]
            index -= 1

    def applied(self, workout: Workout) -> Workout:
        folded = self.folded.get(workout.started_at)
        if not folded:
            return workout
        total, count, highest = folded
        return replace(workout, avg_heart_rate=round(total / count), max_heart_rate=round(highest))


class _ExportScan:
    """export.xml through expat's callbacks, without building a tree: a record's data is all in its
    attributes (handed over as a dict), a workout is gathered with its children into a small
    Element. Measured: twice the speed of ElementTree.iterparse (README, Imports). As
    defusedxml does, an entity declaration ends the scan: Apple's DTD declares none."""

    def __init__(self, *, on_workout: Any = None, on_record: Any = None):
        self.on_workout, self.on_record = on_workout, on_record
        self.workout: Any = None

    def read(self, stream: Any) -> None:
        scan_xml(
            stream,
            what="export.xml",
            source="export",
            on_start=self._start,
            on_end=self._end if self.on_workout is not None else None,
        )

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if name == "Record":
            if self.on_record is not None:
                self.on_record(attributes)
        elif self.workout is not None:
            SubElement(self.workout, name, attributes)
        elif name == "Workout" and self.on_workout is not None:
            self.workout = Element(name, attributes)

    def _end(self, name: str) -> None:
        if name == "Workout" and self.workout is not None:
            self.on_workout(self.workout)
            self.workout = None


def scan_xml(stream: Any, *, what: str, source: str, on_start: Any = None, on_end: Any = None) -> None:
    """Read `stream` through expat with `on_start(name, attributes)` and `on_end(name)`, building no
    tree. As defusedxml does, an entity declaration or an external entity ends it (workout files
    never need them); a file cut short is UnreadableFile naming `what` and where it came from."""
    from xml.parsers import expat  # cold start: as above

    def refuse_entities(*_: Any) -> None:
        raise UnreadableFile(f"{what} declares XML entities, which workout files never need.")

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_entities
    if on_start is not None:
        parser.StartElementHandler = on_start
    if on_end is not None:
        parser.EndElementHandler = on_end
    try:
        while chunk := stream.read(READ_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        reason = expat.errors.messages[error.code] if error.code else str(error)
        raise UnreadableFile(
            f"{what} is not complete XML ({reason}, line {error.lineno}); was the {source} cut short?"
        ) from None


def _instant_apple(text: str | None) -> datetime | None:
    """Apple writes `2024-03-01 07:05:10 +0100`: without the space, fromisoformat reads it (20 times
    faster than strptime, which matters at tens of millions of records)."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text[:19] + text[20:] if text[19:20] == " " else text)
    except ValueError:
        return None


def _apple_workout(element: Any) -> tuple[Workout, bool] | None:
    start, end = _instant_apple(element.get("startDate")), _instant_apple(element.get("endDate"))
    kind = sport_type(element.get("workoutActivityType", "").removeprefix("HKWorkoutActivityType"))
    figures: dict[str, Any] = {
        "distance_m": _quantity(
            element.get("totalDistance"), element.get("totalDistanceUnit"), DISTANCE_UNITS
        ),
        "calories": _quantity(
            element.get("totalEnergyBurned"), element.get("totalEnergyBurnedUnit"), ENERGY_UNITS
        ),
    }
    needs_records = True
    for child in element:
        if child.tag == "WorkoutStatistics" and child.get("type") == HEART_RATE:
            average, maximum = _number(child.get("average")), _number(child.get("maximum"))
            if average and maximum:
                figures.update(_heart_rates([average]), max_heart_rate=round(maximum))
                needs_records = False
        elif child.tag == "WorkoutStatistics" and "Distance" in (child.get("type") or ""):
            figures["distance_m"] = figures["distance_m"] or _quantity(
                child.get("sum"), child.get("unit"), DISTANCE_UNITS
            )
        elif child.tag == "MetadataEntry" and child.get("key") == "HKElevationAscended":
            amount, _, unit = (child.get("value") or "").partition(" ")
            figures["elevation_gain_m"] = _quantity(amount, unit, {"cm": 0.01, **DISTANCE_UNITS})
    if figures["calories"] is not None:
        figures["calories"] = round(figures["calories"])
    found = _workout(kind, start, end, **figures)
    return (found, needs_records) if found else None


def _quantity(amount: str | None, unit: str | None, units: dict[str, float]) -> float | None:
    value = _number(amount)
    factor = units.get(unit or "")
    return round(value * factor, 1) if value and factor else None
