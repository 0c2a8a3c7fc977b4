"""Every 5 minutes: run the health checks and publish the count of failing ones as a metric.

The template alarms on `FailingHealthChecks` > 0, so an unreachable dependency pages someone
before a member hits it.
"""

from aws_lambda_powertools.metrics import MetricUnit

from fitconnect.platform.health import checks_from_environment, run_checks
from fitconnect.platform.observability import logger, metrics, tracer

CHECKS = checks_from_environment()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event, context):
    report = run_checks(CHECKS)
    metrics.add_metric(name="FailingHealthChecks", unit=MetricUnit.Count, value=len(report.failing))
    if report.healthy:
        logger.info("all health checks pass", extra={"checks": len(report.checks)})
    else:
        logger.error("health checks failing", extra={"failing": report.failing, "checks": report.checks})
    return {"healthy": report.healthy, "failing": report.failing}
