"""`GET /_local/metrics`: the functions' metrics as Prometheus text, for a local Prometheus/Grafana.

In AWS the functions' Powertools metrics reach CloudWatch as Embedded Metric Format log lines (the
dashboards and alarms read them there). Locally the runtime sees the same lines on each function's
output: every EMF metric becomes a counter of its values (`fitconnect_<name>_total`), labelled by
the function and the EMF dimensions, and the runtime adds what Lambda would measure itself:
invocations, errors, cold starts and durations per function.
"""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

PREFIX = "fitconnect"


@dataclass(frozen=True)
class TextBody:
    """A control route's answer that is not JSON."""

    text: str
    content_type: str


class EmfMetrics:
    """Sums of the EMF metrics the functions printed, by metric, function and dimensions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sums: dict[tuple[str, tuple[tuple[str, str], ...]], float] = defaultdict(float)
        self._units: dict[str, str] = {}

    def observe(self, function_id: str, line: str) -> None:
        if '"_aws"' not in line or not line.lstrip().startswith("{"):
            return
        try:
            document = json.loads(line)
        except ValueError:
            return
        for directive in (document.get("_aws") or {}).get("CloudWatchMetrics") or []:
            dimensions = {name for group in directive.get("Dimensions") or [] for name in group}
            labels = {"function": function_id} | {name: str(document.get(name, "")) for name in dimensions}
            for metric in directive.get("Metrics") or []:
                self._add(str(metric.get("Name")), str(metric.get("Unit") or "None"), labels, document)

    def _add(self, name: str, unit: str, labels: dict[str, str], document: dict[str, Any]) -> None:
        values = document.get(name)
        values = values if isinstance(values, list) else [values]
        total = sum(float(value) for value in values if isinstance(value, int | float))
        key = (_metric_name(name), tuple(sorted(labels.items())))
        with self._lock:
            self._sums[key] += total
            self._units[key[0]] = unit

    def exposition(self, function_stats: dict[str, dict[str, Any]]) -> str:
        """Prometheus text format 0.0.4: the EMF counters, then the runtime's own per function."""
        lines: list[str] = []
        with self._lock:
            sums, units = dict(self._sums), dict(self._units)
        by_metric: dict[str, list[tuple[tuple[tuple[str, str], ...], float]]] = defaultdict(list)
        for (metric, labels), value in sums.items():
            by_metric[metric].append((labels, value))
        for metric, samples in sorted(by_metric.items()):
            lines += [
                f"# HELP {PREFIX}_{metric}_total EMF metric {metric} ({units[metric]}), summed.",
                f"# TYPE {PREFIX}_{metric}_total counter",
            ]
            lines += [
                f"{PREFIX}_{metric}_total{_labels(dict(labels))} {value:g}"
                for labels, value in sorted(samples)
            ]
        lines += _runtime_lines(function_stats)
        return "\n".join(lines) + "\n"


def _runtime_lines(function_stats: dict[str, dict[str, Any]]) -> list[str]:
    counters = {
        "invocations": "Invocations of the function.",
        "errors": "Invocations that ended in an error.",
        "cold_starts": "Invocations that started a new worker.",
    }
    lines: list[str] = []
    for stat, help_text in counters.items():
        name = f"{PREFIX}_lambda_{stat}_total"
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
        lines += [
            f"{name}{_labels({'function': function_id})} {int(stats[stat])}"
            for function_id, stats in sorted(function_stats.items())
        ]
    for quantile in (50, 99):
        name = f"{PREFIX}_lambda_duration_p{quantile}_milliseconds"
        lines += [f"# HELP {name} p{quantile} of the last 2000 durations.", f"# TYPE {name} gauge"]
        for function_id, stats in sorted(function_stats.items()):
            durations = sorted(stats.get("duration_ms") or [])
            if durations:
                value = durations[min(len(durations) - 1, round(quantile / 100 * (len(durations) - 1)))]
                lines.append(f"{name}{_labels({'function': function_id})} {value:.3f}")
    return lines


def _metric_name(name: str) -> str:
    """`BookingsConfirmed` → `bookings_confirmed`: Prometheus's naming, only [a-z0-9_]."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    return re.sub(r"[^a-z0-9_]", "_", snake)


def _escaped(value: str) -> str:
    """A label value as Prometheus's text format quotes it."""
    return value.replace("\\", r"\\").replace('"', r"\"").replace("\n", r"\n")


def _labels(labels: dict[str, str]) -> str:
    escaped = {re.sub(r"[^a-zA-Z0-9_]", "_", key): _escaped(value) for key, value in labels.items()}
    return "{" + ",".join(f'{key}="{value}"' for key, value in sorted(escaped.items())) + "}"
