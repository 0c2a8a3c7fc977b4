"""The chatbot's date understanding, against a fixed 'today' (Wednesday 25 November 2026)."""

from datetime import date

import pytest

from fitconnect.assistant.chatbot import parse_day

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cancel my booking today", date(2026, 11, 25)),
        ("cancel my booking tomorrow", date(2026, 11, 26)),
        ("cancel my class on friday", date(2026, 11, 27)),
        ("cancel wednesday", date(2026, 11, 25)),  # a weekday means its next occurrence, today included
        ("cancel on monday", date(2026, 11, 30)),
        ("cancel 2026-12-03", date(2026, 12, 3)),
        ("cancel my booking on 3 dec", date(2026, 12, 3)),
        ("cancel my booking on december 3rd", date(2026, 12, 3)),
        ("cancel 2 jan", date(2027, 1, 2)),  # already past this year: next year's
        ("cancel 2026-02-30", None),
        ("cancel my booking", None),
    ],
)
def test_days_are_read_from_words_and_dates(text, expected):
    assert parse_day(text, TODAY) == expected
