"""User text on its way out (e-mail headers, SMS, push titles, calendars): never a control character.

A session title or a name is typed by a user. In a header a CR/LF is refused by the mail library
(the message would never send) or, elsewhere, starts a new field; in a calendar a bell or escape
character makes clients drop the event. Input models refuse them (`contract.SingleLine`,
`contract.PlainText`), and text rendered for delivery passes through here too, for what was
stored before that rule.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def one_line(text: str, max_length: int = 200) -> str:
    """`text` as one line: every control or separator character (CR, LF, tab, U+2028…) a space,
    runs of spaces collapsed, at most `max_length` characters."""
    cleaned = "".join(" " if _is_control(char) else char for char in text)
    line = _SPACES.sub(" ", cleaned).strip()
    return line if len(line) <= max_length else line[: max_length - 1].rstrip() + "…"


def plain_text(text: str) -> str:
    """`text` with line breaks kept (as `\\n`) and every other control character removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join("".join(char for char in line if not _is_control(char)) for line in lines)


def has_control(text: str, *, line_breaks_allowed: bool = False) -> bool:
    """Whether `text` holds a control character (CR/LF too, unless `line_breaks_allowed`)."""
    if line_breaks_allowed:
        text = text.replace("\r\n", "").replace("\n", "")
    return any(_is_control(char) for char in text)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} and char != "\u200d"  # keep emoji joins
