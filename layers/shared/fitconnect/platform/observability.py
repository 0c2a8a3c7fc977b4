"""Logger, Tracer and Metrics, one of each per process, configured by POWERTOOLS_* variables.

The service name comes from POWERTOOLS_SERVICE_NAME (set per function in template.yaml); the
metrics namespace from POWERTOOLS_METRICS_NAMESPACE (Globals). The Tracer loads the X-Ray SDK
lazily and stays silent outside Lambda.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Most requests publish only the cold-start metric; that is expected, not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
# botocore is patched (every AWS call, PynamoDB's included, becomes a subsegment); the X-Ray SDK's
# own PynamoDB patch would trace the same calls twice, and it raises on a response whose body is
# not JSON, turning a retryable DynamoDB error into a crash.
tracer = Tracer(patch_modules=["botocore", "requests"])
metrics = Metrics()
