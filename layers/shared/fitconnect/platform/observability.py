"""Logger, Tracer and Metrics, one of each per process, configured by POWERTOOLS_* variables.

The service name comes from POWERTOOLS_SERVICE_NAME (set per function in template.yaml); the
metrics namespace from POWERTOOLS_METRICS_NAMESPACE (Globals). The Tracer is made on the first
invocation, not at import (see `DeferredTracer`), and stays silent outside Lambda.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

# Most requests publish only the cold-start metric; that is expected, not worth a warning per call.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class DeferredTracer:
    """Powertools' Tracer, made when the first invocation starts rather than at import: making it
    loads the X-Ray SDK (and asyncio with it) and patches botocore and requests, which was about
    60 ms of every function's cold init. Every AWS call an invocation makes is still traced."""

    def __init__(self) -> None:
        self._tracer: Tracer | None = None

    def started(self) -> Tracer:
        if self._tracer is None:
            # botocore is patched (every AWS call, PynamoDB's included, becomes a subsegment); the
            # X-Ray SDK's own PynamoDB patch would trace the same calls twice, and it raises on a
            # response whose body is not JSON, turning a retryable DynamoDB error into a crash.
            self._tracer = Tracer(patch_modules=["botocore", "requests"])
        return self._tracer

    def capture_lambda_handler(self, lambda_handler: Callable[..., Any]) -> Callable[..., Any]:
        traced: Callable[..., Any] | None = None

        @functools.wraps(lambda_handler)
        def handler(event: Any, context: Any) -> Any:
            nonlocal traced
            if traced is None:
                traced = self.started().capture_lambda_handler(lambda_handler)
            return traced(event, context)

        return handler


class TracingLogger(Logger):
    """Powertools' Logger, whose handler decorator (on every function) also starts the tracer
    before the handler runs, so that a function without `capture_lambda_handler` is traced too."""

    def inject_lambda_context(self, lambda_handler: Any = None, **options: Any) -> Any:
        if lambda_handler is None:
            return functools.partial(self.inject_lambda_context, **options)
        decorated = super().inject_lambda_context(lambda_handler, **options)

        @functools.wraps(lambda_handler)
        def handler(event: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
            tracer.started()
            return decorated(event, context, *args, **kwargs)

        return handler


logger = TracingLogger()
tracer = DeferredTracer()
metrics = Metrics()
