"""Fixed-window attempt counters on the identity table (failed logins, reset requests), and the
per-client limit across every sign-in door (docs/decisions.md 26).

A window opens at the first attempt and closes `window_s` later (`expires_at`, also the TTL).
Counting is one conditional update; opening a new window is one conditional put, so concurrent
attempts never lose a count and a closed window never keeps counting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from fitconnect.identity.models import AttemptWindow
from fitconnect.platform import clock
from fitconnect.platform.errors import ApiError, TooManyRequests
from fitconnect.platform.storage import conditional_save, conditional_update, get_item, is_expired

CLIENT_ATTEMPTS_ALLOWED = 20
CLIENT_WINDOW_S = 5 * 60


@dataclass(frozen=True)
class Window:
    count: int
    retry_after_s: int


def window_key(kind: str, subject: str) -> tuple[str, str]:
    return f"{kind}#{subject}", "WINDOW"


def current(key: tuple[str, str]) -> Window:
    item = get_item(AttemptWindow, key, consistent=True)
    if item is None or is_expired(item.expires_at):
        return Window(0, 0)
    return Window(int(item.count), max(1, int(item.expires_at) - clock.epoch_seconds()))


def record(key: tuple[str, str], *, window_s: int) -> None:
    """Count one attempt in the open window, or open a new one."""
    for _attempt in range(3):
        now = clock.epoch_seconds()
        counted = conditional_update(
            AttemptWindow(*key),
            [AttemptWindow.count.add(1)],
            AttemptWindow.pk.exists() & (AttemptWindow.expires_at > now),
        )
        if counted:
            return
        opened = conditional_save(
            AttemptWindow(*key, count=1, expires_at=now + window_s),
            AttemptWindow.pk.does_not_exist() | (AttemptWindow.expires_at <= now),
        )
        if opened:
            return
        # else: another attempt opened the window first; count in it


def clear(key: tuple[str, str]) -> None:
    AttemptWindow(*key).delete()


@contextmanager
def client_attempt(client: str, *, always_counts: bool = False) -> Iterator[None]:
    """One attempt at a sign-in door (login, SSO, reset, forgot) from `client` (its source IP).

    A client past `CLIENT_ATTEMPTS_ALLOWED` failed attempts in `CLIENT_WINDOW_S` gets a 429 at
    every door, whichever e-mails it tries: spraying many accounts is slowed where it comes from.
    A failure is a refusal of the credentials (401/403/422); `always_counts` counts every attempt
    (a reset request, whose answer never says whether it worked)."""
    key = window_key("CLIENT", client)
    window = current(key)
    if window.count >= CLIENT_ATTEMPTS_ALLOWED:
        raise TooManyRequests(
            "Too many failed attempts from this network; try again later.",
            retry_after_s=window.retry_after_s,
            code="too_many_attempts",
        )
    try:
        yield
    except ApiError as refusal:
        if refusal.status in (401, 403, 422):
            record(key, window_s=CLIENT_WINDOW_S)
        raise
    if always_counts:
        record(key, window_s=CLIENT_WINDOW_S)
