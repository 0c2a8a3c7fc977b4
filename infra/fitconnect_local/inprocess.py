"""Load a template function's handler into the current process, as Lambda would import it.

Used by tests and the benchmark to call handlers directly. Handler modules of different functions
may share a name, so each load starts clean and leaves sys.path and sys.modules as it found them.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fitconnect_local.functions import FunctionSpec


@contextmanager
def code_on_path(spec: FunctionSpec) -> Iterator[None]:
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
