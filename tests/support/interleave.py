"""Forcing a race instead of hoping for it: threads held after their last read until all have read,
then written one at a time in a named order (tests/unit/test_interleavings.py says why)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any
from unittest import mock

from fitconnect.platform.errors import ApiError


def side_by_side(
    module: Any, reads: str | list[str], calls: list[Callable[[], Any]], order: tuple[int, ...]
) -> list[Any]:
    """Run `calls` in threads: each is paused after its first call of `module.<read>` (`reads`: one
    name for all, or one per call: the last read before that call writes) until all have read, then
    they go on one at a time in `order` (the next starts when the one before has finished).
    Returns each call's result, or the ApiError it raised."""
    pause_at = [reads] * len(calls) if isinstance(reads, str) else reads
    barrier = threading.Barrier(len(calls), timeout=20)
    turns = {index: threading.Event() for index in order}
    mine = threading.local()

    def pausing(name: str) -> Callable[..., Any]:
        original = getattr(module, name)

        def paused(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if pause_at[mine.index] == name and not getattr(mine, "read", False):
                mine.read = True
                barrier.wait()
                assert turns[mine.index].wait(timeout=20), "the thread before never finished"
            return result

        return paused

    def run(index: int) -> Any:
        mine.index = index
        try:
            return calls[index]()
        except ApiError as error:
            return error
        finally:
            position = order.index(index)
            if position + 1 < len(order):
                turns[order[position + 1]].set()

    turns[order[0]].set()
    with ExitStack() as patches, ThreadPoolExecutor(len(calls)) as pool:
        for name in set(pause_at):
            patches.enter_context(mock.patch.object(module, name, pausing(name)))
        return list(pool.map(run, range(len(calls))))
