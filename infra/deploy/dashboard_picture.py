"""docs/dashboard.svg: the operations dashboard's panels drawn from a local run's metrics.

    python -m infra.deploy.dashboard_picture [metrics.txt]   # default: GET /_local/metrics of make run
    python -m infra.deploy.dashboard_picture --demo          # a fresh runtime, a few bookings, then draw

Each panel of `infra/deploy/dashboards.py` becomes a box of bars: the Prometheus counters of the
local runtime (`GET /_local/metrics`) that stand for its series, largest first. Locally there is
one reading, not a time series: the picture shows totals since `make run` started.
"""

from __future__ import annotations

import sys
import urllib.request
from html import escape
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from infra.deploy.dashboards import ROOT

OUT = ROOT / "docs" / "dashboard.svg"
# The dashboard's panels, as the local runtime measures them: (title, [(label, family)]); an
# empty label lists the family per function (largest first), a label sums it.
LOCAL_PANELS = [
    ("Function invocations (top 8)", [("", "fitconnect_lambda_invocations")]),
    ("Function errors", [("", "fitconnect_lambda_errors")]),
    ("Function duration p99 (ms, top 8)", [("", "fitconnect_lambda_duration_p99_milliseconds")]),
    (
        "Bookings",
        [
            ("created", "fitconnect_bookings_created"),
            ("confirmed", "fitconnect_bookings_confirmed"),
        ],
    ),
    ("Revenue (cents)", [("revenue", "fitconnect_revenue_cents")]),
    ("Cold starts (top 8)", [("", "fitconnect_lambda_cold_starts")]),
]
WIDTH, PANEL_W, PANEL_H, COLUMNS = 1200, 390, 250, 3


def series(text: str) -> dict[str, list[tuple[str, float]]]:
    """Family → [(label, value)], per function, largest first."""
    found: dict[str, list[tuple[str, float]]] = {}
    for family in text_string_to_metric_families(text):
        rows: dict[str, float] = {}
        for sample in family.samples:
            if sample.name.endswith("_created"):
                continue
            function = sample.labels.get("function", "").removesuffix("Function")
            rows[function] = rows.get(function, 0.0) + sample.value
        found[family.name] = sorted(rows.items(), key=lambda row: (-row[1], row[0]))
    return found


def panel_rows(
    families: dict[str, list[tuple[str, float]]], spec: list[tuple[str, str]]
) -> list[tuple[str, float]]:
    rows: list[tuple[str, float]] = []
    for label, family in spec:
        values = families.get(family, [])
        if label:
            rows.append((label, sum(value for _, value in values)))
        else:
            rows += [(name, value) for name, value in values if value][:8]
    return rows


def svg(text: str) -> str:
    families = series(text)
    rows_count = -(-len(LOCAL_PANELS) // COLUMNS)
    height = 70 + rows_count * (PANEL_H + 20)
    heading = "FitConnect operations — local run"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{height}" fill="#f4f5f7"/>',
        f'<text x="20" y="36" font-size="20" font-weight="bold" fill="#1d2733">{heading}</text>',
        '<text x="20" y="56" fill="#5b6775">totals since make run started (GET /_local/metrics)</text>',
    ]
    for index, (title, spec) in enumerate(LOCAL_PANELS):
        x = 20 + (index % COLUMNS) * (PANEL_W + 5)
        y = 70 + (index // COLUMNS) * (PANEL_H + 20)
        parts += [
            f'<rect x="{x}" y="{y}" width="{PANEL_W}" height="{PANEL_H}" rx="6" fill="#fff" stroke="#ccc"/>',
            f'<text x="{x + 12}" y="{y + 22}" font-size="14" font-weight="bold">{escape(title)}</text>',
        ]
        rows = panel_rows(families, spec)
        top = max((value for _, value in rows), default=0) or 1
        for n, (label, value) in enumerate(rows[:8]):
            bar_y = y + 40 + n * 25
            width = (PANEL_W - 190) * value / top
            parts += [
                f'<text x="{x + 12}" y="{bar_y + 13}" fill="#33414f">{escape(label[:22])}</text>',
                f'<rect x="{x + 160}" y="{bar_y}" width="{width:.1f}" height="17" fill="#3b82c4"/>',
                f'<text x="{x + 166 + width:.1f}" y="{bar_y + 13}" fill="#33414f">{value:g}</text>',
            ]
        if not rows:
            parts.append(f'<text x="{x + 12}" y="{y + 60}" fill="#8a95a1">no data yet</text>')
    return "\n".join([*parts, "</svg>"]) + "\n"


def demo_metrics() -> str:
    """A fresh local runtime, the demo member booking the demo week's classes, then its metrics."""
    import io

    import requests

    from bench.harness import free_port, login_token
    from fitconnect_local.runtime import LocalRuntime, Ports

    ports = Ports(api=free_port(), aws=free_port(), stripe=free_port(), mqtt=free_port(), strava=free_port())
    runtime = LocalRuntime(ROOT / "template.yaml", ports, out=io.StringIO())
    runtime.start()
    try:
        headers = {"authorization": f"Bearer {login_token(runtime, 'member@fitconnect.local')}"}
        sessions = requests.get(f"{runtime.api_url}/sessions?limit=20", timeout=30).json()["items"]
        for session in sessions:
            requests.post(
                f"{runtime.api_url}/sessions/{session['session_id']}/bookings", headers=headers, timeout=30
            )
        requests.get(f"{runtime.api_url}/me/insights", headers=headers, timeout=30)
        requests.get(f"{runtime.api_url}/me/entitlements", headers=headers, timeout=30)
        return requests.get(f"{runtime.api_url}/_local/metrics", timeout=30).text
    finally:
        runtime.stop()


def main() -> int:
    if sys.argv[1:] == ["--demo"]:
        text = demo_metrics()
    elif len(sys.argv) > 1:
        text = Path(sys.argv[1]).read_text()
    else:
        with urllib.request.urlopen("http://127.0.0.1:3000/_local/metrics", timeout=10) as reply:
            text = reply.read().decode()
    OUT.write_text(svg(text))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
