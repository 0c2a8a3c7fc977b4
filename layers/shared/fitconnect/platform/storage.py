"""PynamoDB plumbing every bounded context shares: the table a model lives in, TTL, time attributes.

Each context owns one table (template.yaml, `<CONTEXT>_TABLE`) with `pk`/`sk`, one GSI
(`gsi1pk`/`gsi1sk`) and the TTL attribute `expires_at`. Models name their table through
`table_meta`, from the environment Lambda gives the function.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from fitconnect.platform import clock, contention

contention.install()  # before PynamoDB makes its first session


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class _TableFromEnvironment(type):
    """`Meta.table_name` read from the environment on use, not frozen at import."""

    env_name: str

    @property
    def table_name(cls) -> str:
        return os.environ.get(cls.env_name) or f"missing-environment-variable-{cls.env_name}"


def table_meta(env_name: str) -> type:
    """A PynamoDB `Meta` for the context table named by the environment variable `env_name`.

    The name is read when the model is used (PynamoDB reconnects if it changes), so a function
    that was not given the table can still import the module, and tests can point models at
    their own tables.
    """
    return _TableFromEnvironment(
        "Meta", (), {"env_name": env_name, "region": _region(), "max_retry_attempts": 3}
    )


class ContextItem(Model):
    """The key and TTL every item of a context table has; each context subclasses it with its Meta."""

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    expires_at = NumberAttribute(null=True)  # the table's TTL attribute (epoch seconds)


def gsi1_index() -> GlobalSecondaryIndex[Any]:
    """The one secondary index of every context table (projection: all attributes).

    PynamoDB binds an index class to the model that holds it, so each model gets its own class.
    """

    class Gsi1(GlobalSecondaryIndex[Any]):
        class Meta:
            index_name = "gsi1"
            projection = AllProjection()

        gsi1pk = UnicodeAttribute(hash_key=True)
        gsi1sk = UnicodeAttribute(range_key=True)

    return Gsi1()


def ttl_in(seconds: int) -> int:
    """An `expires_at` value `seconds` from now (DynamoDB TTL: epoch seconds)."""
    return clock.epoch_seconds() + seconds


def is_expired(expires_at: float | int | None) -> bool:
    """TTL deletion is lazy (and moto never does it): readers check expiry themselves."""
    return expires_at is not None and expires_at <= clock.epoch_seconds()


def get_item(model: type[Any], key: tuple[str, str], *, consistent: bool = False) -> Any | None:
    """The item of `model` at `key` (pk, sk), or None."""
    try:
        return model.get(key[0], key[1], consistent_read=consistent)
    except model.DoesNotExist:
        return None


def plain_map(raw_map: Any) -> dict[str, Any]:
    """A raw MapAttribute's value as a plain dict (empty when unset)."""
    if raw_map is None:
        return {}
    return raw_map.as_dict() if hasattr(raw_map, "as_dict") else dict(raw_map)


def conditional_update(item: Any, actions: list[Any], condition: Any) -> bool:
    """`item.update(actions)` if `condition` holds: True when written, False when the condition failed
    (the caller decides what that means); any other error is raised."""
    return _if_condition_holds(lambda: item.update(actions=actions, condition=condition))


def conditional_save(item: Any, condition: Any) -> bool:
    """`item.save()` if `condition` holds (e.g. `Model.pk.does_not_exist()`): True when written."""
    return _if_condition_holds(lambda: item.save(condition=condition))


def conditional_delete(item: Any, condition: Any) -> bool:
    """`item.delete()` if `condition` holds: True when deleted."""
    return _if_condition_holds(lambda: item.delete(condition=condition))


def _if_condition_holds(write: Any) -> bool:
    from pynamodb.exceptions import DeleteError, PutError, UpdateError

    try:
        write()
    except (PutError, UpdateError, DeleteError) as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


@cache
def _connection() -> Connection:
    return Connection(
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    )


def transact_write() -> TransactWrite:
    """A PynamoDB write transaction on the process's one connection (its client is reused).

    A cancelled transaction raises `TransactWriteError` with `cancellation_reasons`, in
    PynamoDB's item order (condition checks, deletes, puts, updates), not the code's.
    """
    return TransactWrite(connection=_connection())


def cancelled_because(error: Any) -> set[str]:
    """The reasons DynamoDB gave for cancelling a transaction (`ConditionalCheckFailed`,
    `TransactionConflict`, ...), from PynamoDB's `TransactWriteError`."""
    return {reason.code for reason in (error.cancellation_reasons or []) if reason}


def get_many(*wanted: tuple[type[Any], tuple[str, str]], consistent: bool = False) -> list[Any | None]:
    """Items of several models (tables) in one BatchGetItem: one result per `(model, key)` in
    order, None where there is none. Keys DynamoDB leaves unprocessed are asked for again."""
    requests: dict[str, dict[str, Any]] = {}
    for model, (pk, sk) in wanted:
        table = requests.setdefault(model.Meta.table_name, {"Keys": [], "ConsistentRead": consistent})
        table["Keys"].append({"pk": {"S": pk}, "sk": {"S": sk}})
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    client = _connection().client
    while requests:
        answer = client.batch_get_item(RequestItems=requests)
        for table_name, items in answer.get("Responses", {}).items():
            for item in items:
                found[(table_name, item["pk"]["S"], item["sk"]["S"])] = item
        requests = answer.get("UnprocessedKeys") or {}
    results = []
    for model, (pk, sk) in wanted:
        raw = found.get((model.Meta.table_name, pk, sk))
        results.append(model.from_raw_data(raw) if raw is not None else None)
    return results
