"""moto's server in its own process, plus `GET /_fitconnect/outbox` (what SES and SNS sent) and
`PUT /_fitconnect/conflicts` (DynamoDB's contention, on demand).

moto keeps sent e-mails and SMS without a time, and its /moto-api/data.json serialises every model
(every DynamoDB item) on each call. So this process records each message as it is sent, with its
time, by wrapping the SES and SNS backend methods (moto is pinned in requirements-dev.txt).
"""

from __future__ import annotations

import argparse
import copy
import email
import email.policy
import functools
import itertools
import json
import logging
import os
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jsonpath_ng.ext as jsonpath_ext
import moto.backends as moto_backends
import moto.dynamodb.models as moto_dynamodb
from moto.core.utils import unix_time, unix_time_millis
from moto.dynamodb.exceptions import DynamodbException, TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.ses.models import SESBackend
from moto.sns.models import PlatformEndpoint, SNSBackend
from moto.sqs.models import Queue, SQSBackend
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from fitconnect_local import s3_post_policy
from fitconnect_local.template import LOCAL_KEY_ID_TAG

OUTBOX_PATH = "/_fitconnect/outbox"
CONFLICTS_PATH = "/_fitconnect/conflicts"
CONFLICTS_VAR = "FITCONNECT_TRANSACTION_CONFLICTS"  # a share in [0, 1] at start-up; the route changes it
_outbox: list[dict[str, Any]] = []
_lock = threading.Lock()
_sequence = itertools.count(1)


def _record(channel: str, **fields: Any) -> None:
    with _lock:
        _outbox.append(
            {
                "seq": next(_sequence),
                "channel": channel,
                "sent_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                **fields,
            }
        )


def _parse_mime(raw: str) -> dict[str, Any]:
    message = email.message_from_string(raw, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain", "html"))
    attachments = [
        {
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "content": part.get_content() if part.get_content_maintype() == "text" else None,
        }
        for part in message.iter_attachments()
    ]
    return {
        # A long subject is folded onto a continuation line; unfolded it reads as the member sees it.
        "subject": str(message.get("Subject") or "").strip() or None,
        "to": [address.strip() for address in (message.get("To") or "").split(",") if address.strip()],
        "body": text.get_content() if text is not None else None,
        "attachments": attachments,
    }


# moto applies a DynamoDB transaction item by item and rolls back by restoring a snapshot of the
# whole table: with concurrent requests that is neither atomic nor isolated (another request can
# read a half-applied transaction, or lose its own write to the restore). DynamoDB guarantees both,
# and the booking invariants rely on them, so every DynamoDB operation runs under one lock here.
_DYNAMODB_OPERATIONS = (
    "put_item", "get_item", "update_item", "delete_item", "query", "scan", "batch_get_item",
    "batch_write_item", "transact_write_items", "transact_get_items", "execute_statement",
    "execute_transaction", "batch_execute_statement",
)  # fmt: skip


def _wrap_once(marker: str, names: tuple[str, ...], wrap: Callable[[str, Any], Any]) -> None:
    """Replace each named DynamoDB backend method by `wrap(name, method)`, once per process."""
    if getattr(DynamoDBBackend, marker, False):
        return
    setattr(DynamoDBBackend, marker, True)
    for name in names:
        setattr(DynamoDBBackend, name, wrap(name, getattr(DynamoDBBackend, name)))


def serialise_dynamodb() -> None:
    """Every DynamoDB operation under one lock (once per process; unit tests use it in-process)."""
    lock = threading.RLock()

    def serialised(_name: str, operation: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return operation(*args, **kwargs)

        return run

    _wrap_once("_fitconnect_serialised", _DYNAMODB_OPERATIONS, serialised)


# moto backs a transaction up by deep-copying every table it touches, so each booking copied the
# whole scheduling table: under a crowd that was most of the local DynamoDB's time (a 200-member
# rush spent 39 s of CPU here). This keeps moto's own transaction logic and backs up only the items
# the transaction names, restoring exactly those when it is cancelled: the same all-or-nothing
# outcome, at the cost of the items rather than the tables.
class _TablesAsTheyAre:
    """Stands in for the `copy` module inside moto's transaction: a table is "copied" as itself
    (the items are saved by `item_level_rollback`), anything else is copied for real."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _saved_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(table, hash, range, a copy of the item or None) for every item a transaction names."""
    saved = []
    for entry in transact_items:
        operation = next(iter(entry.values()))
        table = backend.tables.get(operation.get("TableName"))
        if table is None:
            continue
        key = operation.get("Key") or operation.get("Item") or {}
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        saved.append((table, hash_value, range_value, copy.deepcopy(table.get_item(hash_value, range_value))))
    return saved


def _restore(saved: list[tuple[Any, ...]]) -> None:
    for table, hash_value, range_value, item in reversed(saved):
        if item is None:
            table.delete_item(hash_value, range_value)
        elif range_value is not None:
            table.items[hash_value][range_value] = item
        else:
            table.items[hash_value] = item


def item_level_rollback() -> None:
    """Replace moto's whole-table transaction backup by a backup of the named items (once per
    process; before `serialise_dynamodb`, so it runs under the lock)."""
    if getattr(DynamoDBBackend, "_fitconnect_item_rollback", False):
        return
    DynamoDBBackend._fitconnect_item_rollback = True
    transact = DynamoDBBackend.transact_write_items

    def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        try:
            saved = _saved_items(self, transact_items)
        except (KeyError, TypeError, AttributeError, StopIteration, ValueError):
            return transact(self, transact_items)  # malformed: moto's own checks answer it
        real_copy, moto_dynamodb.copy = moto_dynamodb.copy, _TablesAsTheyAre
        try:
            transact(self, transact_items)
        except BaseException:
            _restore(saved)
            raise
        finally:
            moto_dynamodb.copy = real_copy

    DynamoDBBackend.transact_write_items = transact_write_items


def lighter_request_path() -> None:
    """Three per-request costs of moto's server that grow with traffic, not with what a request
    asks, removed without changing an answer (once per process):
    - the dispatcher lists moto's package folder on disk for every request to find the service;
    - an EventBridge input transformer builds a JSONPath parser (a PLY grammar) for every event;
    - SQS reads a queue's retention period, per message received, by computing every attribute
      of the queue, its message counts included, and each count reads the clock once per message
      in the queue (every send counts them too): here the clock is read once per count."""
    if getattr(SQSBackend, "_fitconnect_lighter", False):
        return
    SQSBackend._fitconnect_lighter = True
    modules = tuple(moto_backends.list_of_moto_modules())
    moto_backends.list_of_moto_modules = lambda: modules
    jsonpath_ext.parse = functools.lru_cache(maxsize=512)(jsonpath_ext.parse)

    def is_message_valid_based_on_retention_period(self: SQSBackend, queue_name: str, message: Any) -> bool:
        retention_s = int(self.get_queue(queue_name).message_retention_period)
        return retention_s + message.sent_timestamp / 1000 > unix_time()

    SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period

    def counted(waiting: Callable[[Any, float], bool]) -> property:
        def count(queue: Queue) -> int:
            now = unix_time_millis()
            return sum(1 for message in queue._messages if waiting(message, now))

        return property(count)

    # moto's definitions, with `now` read once: visible once past visible_at, delayed until delayed_until.
    Queue.approximate_number_of_messages = counted(
        lambda m, now: now > m.visible_at and now >= m.delayed_until
    )
    Queue.approximate_number_of_messages_not_visible = counted(lambda m, now: not now > m.visible_at)
    Queue.approximate_number_of_messages_delayed = counted(lambda m, now: now < m.delayed_until)


# DynamoDB under contention cancels a transaction that touches an item another transaction is
# writing (`TransactionCanceledException`, reason `TransactionConflict`) and refuses a single-item
# write to such an item (`TransactionConflictException`). Under the one lock above that never
# happens here, so the branches that handle it would never run: this injects it, for a chosen share
# of writes, from a seeded generator (a failing run reproduces).
_TRANSACTIONS = ("transact_write_items",)
_SINGLE_WRITES = ("put_item", "update_item", "delete_item")


class TransactionConflictException(DynamodbException):
    def __init__(self) -> None:
        super().__init__(
            "com.amazonaws.dynamodb.v20120810#TransactionConflictException",
            "Transaction is ongoing for the item",
        )


class Conflicts:
    """The share of DynamoDB writes answered as if another transaction held their items."""

    def __init__(self) -> None:
        self.share, self.injected, self._random = 0.0, 0, random.Random(0)
        self._lock = threading.Lock()

    def set(self, share: float, seed: int = 0) -> None:
        if not 0.0 <= share <= 1.0:
            raise ValueError("share is a number from 0 to 1")
        with self._lock:
            self.share, self.injected, self._random = share, 0, random.Random(seed)

    def strike(self) -> bool:
        with self._lock:
            hit = self.share > 0 and self._random.random() < self.share
            self.injected += hit
            return hit

    def as_dict(self) -> dict[str, Any]:
        return {"share": self.share, "injected": self.injected}


conflicts = Conflicts()
_inside = threading.local()


def inject_conflicts() -> None:
    """Wrap DynamoDB's writes so that `conflicts.strike()` turns one into DynamoDB's conflict (once
    per process; with a share of 0 it changes nothing)."""

    def contended(name: str, operation: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            if getattr(_inside, "write", False):  # moto applies a transaction's items as single writes
                return operation(*args, **kwargs)
            if conflicts.strike():
                if name in _TRANSACTIONS:
                    items = kwargs.get("transact_items") or (args[1] if len(args) > 1 else [])
                    reasons = [("TransactionConflict", "Transaction is ongoing for the item", None)]
                    raise TransactionCanceledException(reasons + [(None, None, None)] * (len(items) - 1))
                raise TransactionConflictException()
            _inside.write = True
            try:
                return operation(*args, **kwargs)
            finally:
                _inside.write = False

        return run

    _wrap_once("_fitconnect_contended", _TRANSACTIONS + _SINGLE_WRITES, contended)


def _install_recorders() -> None:
    send_email, send_raw_email, publish, endpoint_publish = (
        SESBackend.send_email,
        SESBackend.send_raw_email,
        SNSBackend.publish,
        PlatformEndpoint.publish,
    )

    def recorded_send_email(self, source, subject, body, destinations):  # type: ignore[no-untyped-def]
        message = send_email(self, source, subject, body, destinations)
        to = [address for addresses in destinations.values() for address in addresses]
        _record("email", id=message.id, source=source, to=to, subject=subject, body=body, attachments=[])
        return message

    def recorded_send_raw_email(self, source, destinations, raw_data):  # type: ignore[no-untyped-def]
        message = send_raw_email(self, source, destinations, raw_data)
        parsed = _parse_mime(raw_data)
        _record("email", id=message.id, source=source, **{**parsed, "to": list(destinations) or parsed["to"]})
        return message

    def recorded_publish(self, message, arn, phone_number=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        message_id = publish(self, message, arn, phone_number, *args, **kwargs)
        if phone_number:
            _record("sms", id=message_id, to=[phone_number], body=message)
        return message_id

    def recorded_endpoint_publish(self, message):  # type: ignore[no-untyped-def]
        message_id = endpoint_publish(self, message)
        _record("push", id=message_id, to=[self.arn], token=self.token, body=message)
        return message_id

    SESBackend.send_email = recorded_send_email
    SESBackend.send_raw_email = recorded_send_raw_email
    SNSBackend.publish = recorded_publish
    PlatformEndpoint.publish = recorded_endpoint_publish


def template_key_ids() -> None:
    """A KMS key created with the tag LOCAL_KEY_ID_TAG gets that id: the template's names are
    computed before anything exists (as CloudFormation's are known to its functions), and AWS
    chooses key ids, so the provisioner asks for the one the functions were already given. The
    unit tests' in-process moto installs it too."""
    from moto.kms.models import KmsBackend  # here: only this process patches moto

    create_key = KmsBackend.create_key
    if getattr(create_key, "_fitconnect_key_ids", False):
        return  # installed already (the unit tests' in-process moto)

    def create_key_with_id(self, policy, key_usage, key_spec, description, tags, *args, **kwargs):  # type: ignore[no-untyped-def]
        key = create_key(self, policy, key_usage, key_spec, description, tags, *args, **kwargs)
        wanted = next((tag["TagValue"] for tag in tags or [] if tag.get("TagKey") == LOCAL_KEY_ID_TAG), None)
        if wanted and wanted != key.id:
            self.keys.pop(key.id)
            self.tagger.delete_all_tags_for_resource(key.id)
            key.arn = key.arn.replace(key.id, wanted)
            key.id = wanted
            self.keys[wanted] = key
            self.tagger.tag_resource(wanted, tags)
        return key

    create_key_with_id._fitconnect_key_ids = True  # type: ignore[attr-defined]
    KmsBackend.create_key = create_key_with_id


class _WithOutbox:
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == CONFLICTS_PATH:
            return self._conflicts(Request(environ))(environ, start_response)
        if environ.get("PATH_INFO") == OUTBOX_PATH:
            request = Request(environ)
            if request.method == "DELETE":
                with _lock:
                    _outbox.clear()
                return Response(status=204)(environ, start_response)
            with _lock:
                newest_first = sorted(_outbox, key=lambda item: item["seq"], reverse=True)
            return Response(json.dumps(newest_first), content_type="application/json")(
                environ, start_response
            )
        return self.app(environ, start_response)

    @staticmethod
    def _conflicts(request: Request) -> Response:
        if request.method == "PUT":
            try:
                body = json.loads(request.get_data() or b"{}")
                conflicts.set(float(body.get("share", 0)), int(body.get("seed", 0)))
            except (TypeError, ValueError, AttributeError) as error:
                return Response(json.dumps({"message": str(error)}), 400, content_type="application/json")
        return Response(json.dumps(conflicts.as_dict()), content_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    _install_recorders()
    lighter_request_path()
    item_level_rollback()
    serialise_dynamodb()
    inject_conflicts()  # refused before the write runs: a conflict changes nothing
    s3_post_policy.install()
    template_key_ids()
    conflicts.set(float(os.environ.get(CONFLICTS_VAR) or 0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", args.port, _WithOutbox(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
