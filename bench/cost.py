"""`make cost`: what a month of a stated workload costs on AWS, line by line.

    make cost                                   # the 100k-member chain below
    COST_MEMBERS=20000 COST_MACHINES=120 COST_REPORT_S=10 make cost

Inputs, each from where it is true:
- functions, memory and architecture: the templates (as the local runtime reads them);
- AWS calls per invocation and handler time: `bench/measured.json`, written by a full `make bench`;
- prices: `bench/prices-us-east-1.json` (dated, region named);
- the workload: `Workload` below — how often a member does each thing, how many machines report how
  often. Each figure is a stated assumption, not a measurement; change them with COST_* variables.
Writes bench/results/cost.md and prints it. Not a test: a model to decide with.
"""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import write_result
from fitconnect_local.functions import function_specs
from fitconnect_local.schedules import schedule_jobs
from fitconnect_local.template import load_template

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT / "bench" / "prices-us-east-1.json"
MEASURED = ROOT / "bench" / "measured.json"
MONTH_S = 30 * 24 * 3600
ITEM_KB = 1.0  # a typical item's size: 1 write unit, 1 read unit
# Items bigger than that, by function (KB written per write).
WRITE_KB: dict[str, float] = {}
# The telemetry path (README, Gym equipment; `make bench-iot`): the IoT rule (devices publish to its
# Basic Ingest topic: no messaging charge) puts each message on a provisioned Kinesis stream; the
# ingest function takes a batch per window per shard and writes each machine's item (under 1 KB,
# measured) once per window after one consistent read; the archive function reads the same stream on
# the same window and writes one S3 object per batch. Durations per message: `make bench-iot`.
TELEMETRY_WINDOW_S = 30  # TelemetryBatchWindowSeconds, the deployed default (both readers)
ARCHIVE_WINDOW_S = TELEMETRY_WINDOW_S
SHARD_RECORDS_S = 1000  # what one shard takes
INGEST_MS_PER_MESSAGE = 5.5  # against moto in process: DynamoDB itself answers faster
ARCHIVE_MS_PER_MESSAGE = 0.1
TELEMETRY_FUNCTIONS = ("IngestTelemetryFunction", "ArchiveTelemetryFunction")
# Where `make bench` replays a sample that does not walk the path a real invocation takes (a
# consumer's second delivery of one event is a duplicate; an unknown machine's message is rejected),
# the calls of the real path: telemetry as `make bench-iot` measured it per message (README, Gym
# equipment); the consumers' first deliveries and a token refresh as their code makes them, per
# invocation of a batch of 3 messages (send: create, preferences, time zone, class, booking,
# record, e-mail; Stripe: idempotency record and its completion, payment read and write, the
# booking's transaction, the event).
REAL_PATH_CALLS = {
    "SendNotificationsFunction": {
        "dynamodb:PutItem": 3,
        "dynamodb:GetItem": 12,
        "dynamodb:UpdateItem": 3,
        "ses:SendRawEmail": 3,
    },
    "ApplyStripeEventsFunction": {
        "dynamodb:PutItem": 3,
        "dynamodb:GetItem": 3,
        "dynamodb:UpdateItem": 6,
        "dynamodb:TransactWriteItems": 3,
        "events:PutEvents": 3,
    },
    "StripeWebhookFunction": {"sqs:SendMessage": 1},
    # Coaching, as `make bench-coaching` measured it (README, Performance): logging, the consumer's
    # entry and weekly-summary mark per activity, the insights and plan reads.
    "LogActivityFunction": {"dynamodb:PutItem": 3.5, "events:PutEvents": 1},
    "TrackTrainingFunction": {
        "dynamodb:GetItem": 2,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:UpdateItem": 1,
    },
    "MyInsightsFunction": {"dynamodb:GetItem": 1, "dynamodb:Query": 2},
    "MyPlanFunction": {"dynamodb:GetItem": 1, "dynamodb:Query": 1},
    "RefreshFunction": {"dynamodb:GetItem": 2, "dynamodb:TransactWriteItems": 1},
}
TRANSACTION_ITEMS = 3  # a booking's transaction: session counters, booking, member index
LOG_KB_PER_INVOCATION = 1.0  # START/REPORT lines and one structured line
XRAY_SAMPLED = 0.05  # X-Ray's default rule: 1 a second, then 5 %


@dataclass
class Workload:
    members: int = int(os.environ.get("COST_MEMBERS", "100000"))
    machines: int = int(os.environ.get("COST_MACHINES", "500"))
    report_interval_s: float = float(os.environ.get("COST_REPORT_S", "5"))
    bookings_per_member: float = float(os.environ.get("COST_BOOKINGS", "6"))  # a month
    paid_share: float = 0.5  # of bookings (the rest free or covered)
    cancel_share: float = 0.1
    # Other calls a member makes in a month, by function (app opens, browsing, checking).
    member_calls: dict[str, float] = field(
        default_factory=lambda: {
            "ListSessionsFunction": 12,
            "GetSessionFunction": 6,
            "ListTrainersFunction": 2,
            "GetTrainerFunction": 2,
            "GetMeFunction": 4,
            "RefreshFunction": 30,
            "LoginFunction": 2,
            "MyBookingsFunction": 4,
            "GetBookingFunction": 4,
            "MyNotificationsFunction": 1,
            "ChatbotFunction": 1,
            "LogActivityFunction": 12,  # three workouts a week
            "TrackTrainingFunction": 12,  # one ActivityLogged each
            "MyInsightsFunction": 8,
            "MyPlanFunction": 8,
            "CreatePlanFunction": 0.25,  # a new 4-week plan now and then
        }
    )

    def invocations(self, routed: set[str]) -> dict[str, float]:
        per_member = dict(self.member_calls)
        bookings = self.bookings_per_member
        per_member["CreateBookingFunction"] = bookings
        per_member["CancelBookingFunction"] = bookings * self.cancel_share
        paid = bookings * self.paid_share
        # Stripe sends about two events per paid booking; the consumer takes batches (about 3 a call).
        per_member["StripeWebhookFunction"] = paid * 2
        per_member["ApplyStripeEventsFunction"] = paid * 2 / 3
        # A confirmation and two reminders per booking, sent in batches of about 3.
        per_member["SendNotificationsFunction"] = bookings * 3 / 3
        per_member["ArchiveEventsFunction"] = bookings * 4 / 10  # ~4 domain events a booking, batches of 10
        calls = {name: count * self.members for name, count in per_member.items()}
        calls["AuthorizerFunction"] = sum(count for name, count in calls.items() if name in routed)
        return calls  # telemetry is priced as a path: see telemetry_lines

    def telemetry_messages(self) -> float:
        return self.machines * MONTH_S / self.report_interval_s


def schedule_invocations(functions: dict[str, Any]) -> dict[str, float]:
    """How often each schedule fires in 30 days, from its own expression."""
    counts: dict[str, float] = defaultdict(float)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    for job in schedule_jobs(functions):
        moment, end, fired = start, start + timedelta(days=30), 0
        while (moment := job.expression.next_after(moment)) is not None and moment < end:
            fired += 1
        counts[job.function_id] += fired
    return counts


def cost_lines(workload: Workload) -> tuple[dict[str, float], dict[str, float]]:
    prices = json.loads(PRICES.read_text())
    measured = json.loads(MEASURED.read_text())["functions"]
    template = load_template(ROOT / "template.yaml", parameters={"Stage": "prod"})
    functions = function_specs(template)
    routed = {name for name, spec in measured.items() if "HttpApi" in spec["trigger"]}
    invocations = workload.invocations(routed)
    for name, count in schedule_invocations(functions).items():
        invocations[name] = invocations.get(name, 0) + count
    lines: dict[str, float] = defaultdict(float)
    per_function: dict[str, float] = defaultdict(float)
    arch = "arm64"
    for name, count in invocations.items():
        if name in TELEMETRY_FUNCTIONS:
            continue  # priced as a path: telemetry_lines
        spec, figures = functions[name], measured.get(name, {"calls": {}, "direct_p50_ms": 10.0})
        gb_s = spec.memory_mb / 1024 * max(1.0, figures["direct_p50_ms"]) / 1000
        charges = {
            "Lambda requests": prices["lambda_request"],
            "Lambda duration": gb_s * prices[f"lambda_gb_second_{arch}"],
            "CloudWatch Logs": LOG_KB_PER_INVOCATION / 1024 / 1024 * prices["cloudwatch_logs_ingested_gb"],
            "X-Ray": XRAY_SAMPLED * prices["xray_trace_recorded"],
        }
        if name in routed:
            charges["API Gateway"] = prices["apigateway_http_request"]
        calls = REAL_PATH_CALLS.get(name, figures["calls"])
        for line, price in _call_charges(name, calls, prices).items():
            charges[line] = charges.get(line, 0.0) + price
        for line, price in charges.items():
            lines[line] += price * count
            per_function[name] += price * count
    for line, amount in telemetry_lines(workload, prices, functions).items():
        lines[line] += amount
        per_function["IngestTelemetryFunction"] += amount  # the whole path, archive included
    lines["Secrets Manager"] += 6 * prices["secretsmanager_secret_month"]
    return dict(lines), dict(per_function)


def telemetry_lines(
    workload: Workload, prices: dict[str, float], functions: dict[str, Any]
) -> dict[str, float]:
    """A month of the telemetry path, line by line (see TELEMETRY_WINDOW_S above)."""
    messages = workload.telemetry_messages()
    if not messages:
        return {}
    shards = max(1, math.ceil(workload.machines / workload.report_interval_s / SHARD_RECORDS_S))
    ingest_batches = MONTH_S / TELEMETRY_WINDOW_S * shards
    archive_batches = MONTH_S / ARCHIVE_WINDOW_S * shards
    # Each machine is read and written once per window (once per message if it reports less often).
    machine_writes = workload.machines * MONTH_S / max(TELEMETRY_WINDOW_S, workload.report_interval_s)
    gb_s = (
        functions["IngestTelemetryFunction"].memory_mb / 1024 * messages * INGEST_MS_PER_MESSAGE / 1000
        + functions["ArchiveTelemetryFunction"].memory_mb / 1024 * messages * ARCHIVE_MS_PER_MESSAGE / 1000
    )
    invocations = ingest_batches + archive_batches
    return {
        "IoT Core": messages * (prices["iot_rule_triggered"] + prices["iot_rule_action"])
        + workload.machines * MONTH_S / 60 * prices["iot_connectivity_minute"],
        "Kinesis": shards * MONTH_S / 3600 * prices["kinesis_shard_hour"]
        + messages * prices["kinesis_put_payload_unit"],
        "DynamoDB": machine_writes
        * (prices["dynamodb_write_request_unit"] + prices["dynamodb_read_request_unit"]),
        "Lambda requests": invocations * prices["lambda_request"],
        "Lambda duration": gb_s * prices["lambda_gb_second_arm64"],
        "S3": archive_batches * prices["s3_put_request"],
        "CloudWatch Logs": invocations
        * LOG_KB_PER_INVOCATION
        / 1024
        / 1024
        * prices["cloudwatch_logs_ingested_gb"],
        "X-Ray": invocations * XRAY_SAMPLED * prices["xray_trace_recorded"],
    }


def _call_charges(name: str, calls: dict[str, float], prices: dict[str, float]) -> dict[str, float]:
    """What one invocation's AWS calls cost, by service line."""
    charges: dict[str, float] = defaultdict(float)
    write_kb = WRITE_KB.get(name, ITEM_KB)
    for call, count in calls.items():
        service, _, operation = call.partition(":")
        if "!" in operation:  # a failed call (a condition that did not hold) is charged like a success
            operation = operation.split("!", 1)[0]
        if service == "dynamodb":
            if operation in ("GetItem", "Query", "Scan", "BatchGetItem"):
                charges["DynamoDB"] += count * prices["dynamodb_read_request_unit"]
            elif operation == "TransactWriteItems":
                units = 2 * TRANSACTION_ITEMS  # transactions cost two units per item
                charges["DynamoDB"] += count * units * prices["dynamodb_write_request_unit"]
            elif operation in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"):
                charges["DynamoDB"] += count * max(1.0, write_kb) * prices["dynamodb_write_request_unit"]
        elif service == "sqs" and operation.startswith("SendMessage"):
            charges["SQS"] += count * 3 * prices["sqs_request"]  # send, receive, delete
        elif service == "events" and operation == "PutEvents":
            charges["EventBridge"] += count * prices["eventbridge_custom_event"]
        elif service == "s3" and operation == "PutObject":
            charges["S3"] += count * prices["s3_put_request"]
        elif service == "ses":
            charges["SES"] += count * prices["ses_email"]
        elif service == "sns" and operation == "Publish":
            charges["SNS"] += count * prices["sns_mobile_push"]
    return charges


def report(workload: Workload) -> str:
    lines, per_function = cost_lines(workload)
    total = sum(lines.values())
    measured = json.loads(MEASURED.read_text())["measured"]
    prices = json.loads(PRICES.read_text())
    rows = [
        f"Workload: {workload.members:,} members ({workload.bookings_per_member:g} bookings each a month, "
        f"{workload.paid_share:.0%} paid), {workload.machines:,} machines reporting every "
        f"{workload.report_interval_s:g} s ({workload.telemetry_messages() / 1e6:,.1f} M messages). "
        f"Calls per invocation measured {measured}; prices {prices['region']} checked {prices['checked']}.",
        "",
        "| line | $ / month | share |",
        "|---|---:|---:|",
    ]
    for line, amount in sorted(lines.items(), key=lambda item: -item[1]):
        rows.append(f"| {line} | {amount:,.2f} | {amount / total:.1%} |")
    rows.append(f"| **total** | **{total:,.2f}** | |")
    rows += ["", "| function | $ / month | share |", "|---|---:|---:|"]
    for name, amount in sorted(per_function.items(), key=lambda item: -item[1])[:8]:
        rows.append(f"| {name} | {amount:,.2f} | {amount / total:.1%} |")
    top_line = max(lines, key=lambda line: lines[line])
    top_function = max(per_function, key=lambda name: per_function[name])
    telemetry = per_function.get("IngestTelemetryFunction", 0) + per_function.get(
        "ArchiveTelemetryFunction", 0
    )
    rows += [
        "",
        f"Dominant line: {top_line} ({lines[top_line] / total:.0%}). Dominant function: {top_function} "
        f"({per_function[top_function] / total:.0%}). The telemetry path costs "
        f"${telemetry / max(1, workload.machines):.2f} per machine-month "
        f"({telemetry / total:.0%} of the bill).",
    ]
    return "\n".join(rows)


def main() -> None:
    write_result("cost.md", report(Workload()))


if __name__ == "__main__":
    main()
