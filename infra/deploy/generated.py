"""What the generators of `infra/deploy` share: a block of a file between two marker lines, and
writing (or, with `--check`, only comparing) the files they produce."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def replaced(text: str, begin: str, end: str, block: str) -> str | None:
    """`text` with the lines from `begin` to `end` (both included) replaced by `block`; None when
    the markers are not there."""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n", re.DOTALL)
    return pattern.sub(lambda _: block, text) if pattern.search(text) else None


def write_or_check(targets: dict[Path, str], check: bool) -> int:
    """Write each file whose text differs (with `check`, only name them); 1 when `check` found one."""
    stale = [path for path, text in targets.items() if not path.exists() or path.read_text() != text]
    for path in [] if check else stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(targets[path])
    if stale:
        names = ", ".join(str(path.relative_to(ROOT)) for path in stale)
        print(("out of date: " if check else "rewrote: ") + names)
    return 1 if check and stale else 0
