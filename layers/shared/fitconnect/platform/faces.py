"""A context's public face that loads what it exposes on first use (PEP 562 module `__getattr__`).

Contexts call each other through `fitconnect.<context>.public`. Importing a face eagerly imported
the whole domain behind it: listing products loaded bookings, sessions and trainers because the
payments module it uses can confirm a held seat. A lazy face keeps the one import line per context
and moves the cost to the first call that needs the name, so a function pays only for the paths it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_face(face: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """The `__getattr__` of the module `face`; `exports` maps each public name to the module that
    defines it, as "module" (same name) or "module:attribute" (exposed under another name)."""

    def resolve(name: str) -> Any:
        target = exports.get(name)
        if target is None:
            raise AttributeError(f"module {face!r} has no attribute {name!r}")
        module, _, attribute = target.partition(":")
        value = getattr(importlib.import_module(module), attribute or name)
        setattr(importlib.import_module(face), name, value)  # later reads skip this function
        return value

    return resolve
