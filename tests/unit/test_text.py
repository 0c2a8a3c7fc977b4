"""User text on its way to headers, SMS, push and calendars."""

import pytest

from fitconnect.platform.text import has_control, one_line, plain_text


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        ("Yoga\r\nBcc: x@y", "Yoga Bcc: x@y"),
        ("Yoga\u2028\u2029flow", "Yoga flow"),
        ("Yoga\x07\x1b[31m red", "Yoga [31m red"),
        ("  Spin\tclass  ", "Spin class"),
        ("Family 👨‍👩‍👧 yoga", "Family 👨‍👩‍👧 yoga"),
    ],
)
def test_one_line_leaves_no_control_character(raw, line):
    assert one_line(raw) == line
    assert not has_control(one_line(raw))


def test_one_line_is_bounded():
    assert len(one_line("x" * 500, max_length=100)) == 100


def test_plain_text_keeps_line_breaks_only():
    assert plain_text("Line one\r\nLine\x00 two\x07\rthree") == "Line one\nLine two\nthree"
    assert has_control("a\nb")
    assert not has_control("a\nb", line_breaks_allowed=True)
