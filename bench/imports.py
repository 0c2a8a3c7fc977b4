"""`make bench-imports`: a large Apple Health export through the parser — records per second and
the parser's peak memory — and a month of workouts through the whole path on moto (AWS calls per
imported workout).

The export is made like the Health app's: heart-rate records (with the long `device` attribute
Apple writes) every few minutes of every day, step counts, then workouts; half of the workouts
carry their own heart-rate statistics (iOS 16+), half take theirs from the records.
Values vary, so the zip compresses like a real one (~12:1), not like a repeated line.

Not a test: figures depend on the machine. The README records a run on the 2-core dev machine.
    BENCH_IMPORT_ZIP_MB=500 make bench-imports     # the size of the export to build (default 500)
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.harness import write_result

ZIP_MB = float(os.environ.get("BENCH_IMPORT_ZIP_MB", "500"))
DEVICE = (
    "&lt;&lt;HKDevice: 0x2830a4f50&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, "
    "hardware:Watch6,2, software:10.1&gt;"
)
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>
<!ATTLIST HealthData locale CDATA #REQUIRED>
]>
<HealthData locale="en_GB">
 <ExportDate value="2026-11-29 10:00:00 +0000"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-01-01"/>
"""


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S +0000")


def build_export(path: Path, zip_bytes: float) -> dict[str, int]:
    """An export.zip of about `zip_bytes`, written as a stream (a day at a time) into the zip."""
    rng = random.Random(7)
    counts = {"records": 0, "workouts": 0, "xml_bytes": 0}
    day = datetime(2026, 11, 28, tzinfo=UTC)
    workouts: list[datetime] = []
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("apple_health_export/export.xml", "w", force_zip64=True) as member,
    ):
        member.write(HEADER.encode())
        while path.stat().st_size < zip_bytes:
            lines = []
            for minute in range(0, 24 * 60, 4):
                moment = day + timedelta(minutes=minute, seconds=rng.randrange(60))
                lines.append(
                    f' <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Jane&apos;s Apple Watch" '
                    f'sourceVersion="10.1" device="{DEVICE}" unit="count/min" '
                    f'creationDate="{_time(moment)}" startDate="{_time(moment)}" '
                    f'endDate="{_time(moment)}" '
                    f'value="{rng.randrange(52, 175)}">\n'
                    '  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>\n </Record>\n'
                )
            if day.weekday() in (0, 2, 4, 5):
                workouts.append(day + timedelta(hours=7, minutes=rng.randrange(30)))
            chunk = "".join(lines).encode()
            member.write(chunk)
            counts["records"] += len(lines)
            counts["xml_bytes"] += len(chunk)
            day -= timedelta(days=1)
        for index, start in enumerate(workouts):
            statistics = (
                '<WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="148" '
                'minimum="101" maximum="179" unit="count/min"/>'
                if index % 2
                else ""
            )
            member.write(
                (
                    ' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="42" '
                    'durationUnit="min" totalDistance="7.4" totalDistanceUnit="km" '
                    'totalEnergyBurned="480" '
                    f'totalEnergyBurnedUnit="kcal" sourceName="Jane&apos;s Apple Watch" '
                    f'startDate="{_time(start)}" endDate="{_time(start + timedelta(minutes=42))}">'
                    f"{statistics}</Workout>\n"
                ).encode()
            )
        member.write(b"</HealthData>\n")
        counts["workouts"] = len(workouts)
    return counts


PARSE = """
import json, resource, sys, time
from pathlib import Path
from fitconnect.coaching import workout_files
started = time.perf_counter()
workouts = workout_files.read("apple_health", Path(sys.argv[1]))
with_heart_rate = sum(1 for w in workouts if w.avg_heart_rate)
print(json.dumps({"seconds": time.perf_counter() - started, "workouts": len(workouts),
                  "with_heart_rate": with_heart_rate}))
"""


def parse_in_child(path: Path) -> tuple[dict[str, float], float]:
    """The parser in its own process (as in the function): its result and peak resident MiB."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "layers" / "shared")}
    child = subprocess.Popen(
        [sys.executable, "-c", PARSE, str(path)], env=env, stdout=subprocess.PIPE, text=True
    )
    output = child.stdout.read() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)
    if status:
        raise SystemExit(f"the parser failed ({status})")
    return json.loads(output), usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.zip"
        started = time.perf_counter()
        counts = build_export(path, ZIP_MB * 1024 * 1024)
        built_s = time.perf_counter() - started
        zip_mb = path.stat().st_size / 2**20
        result, peak_mib = parse_in_child(path)
    seconds = result["seconds"]
    lines = [
        f"Apple Health export: {zip_mb:.0f} MB zip, export.xml {counts['xml_bytes'] / 2**30:.2f} GiB "
        f"({counts['xml_bytes'] / 2**20 / zip_mb:.1f}:1), {counts['records']:,} heart-rate records, "
        f"{counts['workouts']:,} workouts (half without statistics); built in {built_s:.0f} s.",
        f"Parsed in {seconds:.0f} s: {counts['records'] / seconds:,.0f} records/s, "
        f"{counts['xml_bytes'] / 2**20 / seconds:.1f} MB of XML/s (one pass; heart-rate samples folded into "
        f"the {counts['workouts'] // 2:,} workouts without statistics); {int(result['workouts']):,} "
        f"workouts, {int(result['with_heart_rate']):,} with heart rate.",
        f"Peak resident memory of the parser: {peak_mib:.0f} MiB (ParseImportFunction has 1,024 MB; "
        "its timeout is 900 s).",
    ]
    write_result("imports.md", "\n".join(lines))


if __name__ == "__main__":
    main()
