"""Load a template function's handler in-process, as Lambda would: its CodeUri first on sys.path.

Handler modules of different contexts may share a name (two `webhooks.py`), so each is loaded
under a unique module name, and sys.path/sys.modules are restored afterwards.
"""

from __future__ import annotations

import importlib
import json
import sys
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fitconnect_local.functions import FunctionSpec


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    memory_limit_in_mb: int = 512
    aws_request_id: str = ""
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "local"

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@contextmanager
def code_on_path(spec: FunctionSpec):
    saved_path, saved_modules = list(sys.path), set(sys.modules)
    sys.path.insert(0, str(spec.code_dir))
    try:
        yield
    finally:
        sys.path[:] = saved_path
        module_name = spec.handler.rpartition(".")[0]
        for name in set(sys.modules) - saved_modules:
            if name == module_name or name.startswith(module_name + "."):
                del sys.modules[name]


def load_handler(spec: FunctionSpec) -> Callable[[Any, Any], Any]:
    module_name, _, attribute = spec.handler.rpartition(".")
    with code_on_path(spec):
        module = importlib.import_module(module_name)
    return getattr(module, attribute)


def load_event(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
