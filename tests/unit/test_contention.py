"""DynamoDB's contention, which the local runtime and moto never produce by themselves: a share of
writes answered with `TransactionConflictException` or a transaction cancelled for
`TransactionConflict`. What a member sees must not change — no 5xx, no seat lost or doubled."""

import pytest
from pynamodb.exceptions import PutError

from fitconnect.platform.auth import Caller
from fitconnect.platform.storage import conditional_save


def test_bookings_under_conflicts_fill_the_class_exactly(scheduling, contention):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=5)
    contention.set(0.4, seed=7)
    made = [bookings.book(session_id, f"m{index}") for index in range(8)]
    assert contention.as_dict()["injected"] > 5  # the conflicts happened, and were absorbed
    contention.set(0.0)
    assert [booking.status for booking in made] == ["confirmed"] * 5 + ["waitlisted"] * 3
    assert [bookings.position(booking) for booking in made[5:]] == [1, 2, 3]
    session = sessions.session_of(session_id)
    assert (int(session.seats_taken), int(session.waitlist_length)) == (5, 3)


def test_a_cancellation_and_promotion_under_conflicts_move_one_seat(scheduling, contention):
    bookings, sessions, publish = scheduling
    session_id = publish(capacity=1)
    first = bookings.book(session_id, "m1")
    waiting = bookings.book(session_id, "m2")
    contention.set(0.5, seed=3)
    bookings.cancel(first)
    contention.set(0.0)
    assert bookings.booking_for(Caller("m2", "member"), waiting.booking_id).status == "confirmed"
    session = sessions.session_of(session_id)
    assert (int(session.seats_taken), int(session.waitlist_length)) == (1, 0)


def test_a_write_that_always_conflicts_fails_loudly_and_is_never_read_as_a_failed_condition(
    scheduling, contention
):
    """Retries are bounded; a write that never gets through is an error, not `False` ("someone
    else's item is there"), which would send a caller down the wrong branch."""
    _bookings, sessions, publish = scheduling
    session = sessions.session_of(publish(capacity=1))
    contention.set(1.0)
    with pytest.raises(PutError) as refused:
        conditional_save(session, None)
    assert refused.value.cause_response_code == "TransactionConflictException"
    assert contention.as_dict()["injected"] == 5  # the first try and four retries


def test_a_single_write_that_meets_a_conflict_is_sent_again_and_lands(scheduling, contention):
    """Every DynamoDB client retries DynamoDB's contention (platform/contention.py), so a plain
    write — a profile, a payment record, a trainer's session change — never turns it into a 5xx."""
    _bookings, sessions, publish = scheduling
    session = sessions.session_of(publish(capacity=1))
    session.title = "Spin, longer"
    contention.set(0.3, seed=11)
    landed = [conditional_save(session, None) for _ in range(10)]
    injected = contention.as_dict()["injected"]
    contention.set(0.0)
    assert landed == [True] * 10
    assert injected >= 2
    assert sessions.session_of(session.session_id).title == "Spin, longer"


def test_a_cancelled_transaction_leaves_every_item_it_named_as_it_was_and_copies_no_table(
    aws, contention, monkeypatch
):
    """moto's transaction backs up by deep-copying whole tables; the local runtime backs up only the
    items a transaction names (moto_server.item_level_rollback). The outcome must stay all or nothing."""
    import copy

    import boto3
    from moto.dynamodb.models.table import Table

    copied: list[type] = []
    real_deepcopy = copy.deepcopy
    monkeypatch.setattr(
        copy, "deepcopy", lambda value, memo=None: copied.append(type(value)) or real_deepcopy(value, memo)
    )
    client = boto3.client("dynamodb")
    table = aws.physical["SchedulingTable"].ref

    def key(name):
        return {"pk": {"S": name}, "sk": {"S": "X"}}

    def item(name):
        found = client.get_item(TableName=table, Key=key(name)).get("Item")
        return found and {k: v for k, v in found.items() if k not in ("pk", "sk")}

    for name in ("kept", "deleted"):
        client.put_item(TableName=table, Item={**key(name), "n": {"N": "1"}})
    transaction = [
        {"Update": {"TableName": table, "Key": key("kept"), "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Put": {"TableName": table, "Item": {**key("new"), "n": {"N": "7"}}}},
        {"Delete": {"TableName": table, "Key": key("deleted")}},
        {"ConditionCheck": {"TableName": table, "Key": key("absent"),
                            "ConditionExpression": "attribute_exists(pk)"}},
    ]  # fmt: skip
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=transaction)
    assert (item("kept"), item("new"), item("deleted")) == ({"n": {"N": "1"}}, None, {"n": {"N": "1"}})
    client.transact_write_items(TransactItems=transaction[:3])  # without the failing check: all of it
    assert (item("kept"), item("new"), item("deleted")) == ({"n": {"N": "2"}}, {"n": {"N": "7"}}, None)
    assert Table not in copied
