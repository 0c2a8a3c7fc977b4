from datetime import UTC, datetime, timedelta

import pytest

from fitconnect.platform import clock, ids
from fitconnect.platform.cursors import decode_cursor, encode_cursor, page, page_request
from fitconnect.platform.errors import BadRequest

KEY = {"pk": {"S": "USER#u1"}, "sk": {"S": "ACTIVITY#01J"}}


def test_cursor_round_trips_within_its_partition():
    cursor = encode_cursor(KEY)
    assert "USER" not in cursor  # opaque to clients
    assert decode_cursor(cursor, bound_to={"pk": {"S": "USER#u1"}}) == KEY


def test_cursor_cannot_page_into_another_partition():
    forged = encode_cursor({"pk": {"S": "USER#u2"}, "sk": {"S": "ACTIVITY#01J"}})
    with pytest.raises(BadRequest) as error:
        decode_cursor(forged, bound_to={"pk": {"S": "USER#u1"}})
    assert error.value.code == "invalid_cursor"


HAND_MADE = [
    [],
    "a string",
    {"pk": {"S": "USER#u1"}},  # no sort key
    {"pk": {"S": "USER#u1"}, "sk": 5},  # not a typed value
    {"pk": {"S": "USER#u1"}, "sk": {"B": "AAAA"}},
    {"pk": {"S": "USER#u1"}, "sk": {"S": ["x"]}},
    {"pk": {"S": "USER#u1"}, "sk": {"N": "1e999"}},
    {"pk": {"S": "USER#u1"}, "sk": {"S": "x" * 2000}},
    {"pk": {"S": "USER#u1"}, "sk": {"S": "a"}, "email": {"S": "x"}},  # not a key attribute
    {"pk": {"S": "USER#u1"}, "sk": {"S": "a"}, "gsi1pk": {"S": "x"}},  # half an index key
]


@pytest.mark.parametrize("key", HAND_MADE)
def test_a_hand_made_cursor_of_any_json_shape_is_a_400(key):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
    with pytest.raises(BadRequest) as error:
        decode_cursor(cursor, bound_to={"pk": {"S": "USER#u1"}})
    assert error.value.code == "invalid_cursor"


@pytest.mark.parametrize("garbage", ["%%%", "bm90LWpzb24", encode_cursor({"x": 1})[:-3] + "!!!", "W" * 5000])
def test_mangled_cursor_is_a_400(garbage):
    with pytest.raises(BadRequest):
        decode_cursor(garbage, bound_to={"pk": "USER#u1"})


def test_page_request_defaults_and_bounds():
    assert page_request(None, None, bound_to={}).limit == 20
    assert page_request(100, None, bound_to={}).limit == 100
    for bad in (0, 101, -1):
        with pytest.raises(BadRequest) as error:
            page_request(bad, None, bound_to={})
        assert error.value.details[0]["field"] == "limit"


def test_page_shape_has_null_cursor_at_the_end():
    assert page([1, 2], None) == {"items": [1, 2], "next_cursor": None}
    assert page([1], KEY)["next_cursor"] == encode_cursor(KEY)


def test_clock_is_utc_and_movable():
    before = datetime.now(UTC)
    assert clock.now().tzinfo == UTC
    with clock.travel(timedelta(days=2)):
        assert clock.now() - before >= timedelta(days=2)
        with clock.travel(timedelta(hours=1)):
            assert clock.now() - before >= timedelta(days=2, hours=1)
    assert clock.now() - before < timedelta(minutes=1)


def test_iso_format_is_the_apis():
    assert clock.to_iso(datetime(2026, 12, 1, 18, 0, tzinfo=UTC)) == "2026-12-01T18:00:00.000Z"


def test_ids_are_ulids_ordered_by_the_domain_clock():
    first = ids.new_id()
    with clock.travel(timedelta(seconds=5)):
        later = ids.new_id()
    assert ids.is_id(first)
    assert len(first) == 26
    assert later > first
    assert not ids.is_id("not-an-id")
