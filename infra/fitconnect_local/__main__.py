"""`python -m fitconnect_local` (what `make run` starts): the whole platform in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from fitconnect_local.runtime import LocalRuntime, Ports

REPO_ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Run FitConnect locally: moto, localstripe, MQTT, every function."
    )
    parser.add_argument("--template", default=str(REPO_ROOT / "template.yaml"))
    args = parser.parse_args()
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    runtime = LocalRuntime(args.template, Ports.from_environment())
    runtime.start()
    _banner(runtime)
    stopping.wait()
    print("\n[runtime] stopping…", flush=True)
    runtime.stop()
    return 0


def _banner(runtime: LocalRuntime) -> None:
    routes = runtime.gateway.routes if runtime.gateway else []
    lines = [
        "",
        f"FitConnect is up in {runtime.startup_s:.1f}s: "
        f"{len(runtime.functions)} functions, {len(routes)} routes",
        f"  API          {runtime.api_url}          (try: curl {runtime.api_url}/health)",
        f"  AWS (moto)   {runtime.aws_endpoint}     (aws --endpoint-url … dynamodb list-tables)",
        f"  Stripe       {runtime.stripe_endpoint}  (localstripe)",
        f"  MQTT         mqtt://127.0.0.1:{runtime.ports.mqtt}",
        f"  Strava       {runtime.strava_endpoint}  (stand-in) connect: POST /me/integrations/strava,",
        "               open its authorize_url; record an activity as the athlete (sends the webhook event):",
        f"               curl -X POST {runtime.strava_endpoint}/_standin/athletes/<athlete_id>/activities \\",
        '                 -d \'{"sport_type": "Run", "start_date": "2026-12-01T07:00:00Z", '
        '"elapsed_time": 1800, "distance": 5000}\'',
        f"  Outbox       {runtime.api_url}/_local/outbox",
        f"  Functions    {runtime.api_url}/_local/functions",
        f"  Schedules    curl -X POST {runtime.api_url}/_local/schedules/<FunctionLogicalId>",
        "Ctrl-C stops everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
