"""Identity-based IAM for one local function: every AWS call its code makes is checked against the
statements of its role (from the translated template) before it is sent, and refused as AWS
refuses it — an `AccessDenied` error naming the action and the resource — when nothing allows it.

Loaded by the worker (not importable by the function: the worker runs isolated from this folder)
when the runtime hands it the role's statements. It maps each operation to the IAM action(s) and
resource ARN(s) AWS evaluates for it: a DynamoDB transaction needs the per-item actions on each
table, a query on an index needs the index ARN, an SQS URL becomes the queue ARN, S3 objects are
`bucket/key`, SES sends are checked against the sender's identity. Conditions in statements are not
evaluated (the templates use none on function roles); Deny is honoured.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

REGION = os.environ.get("AWS_REGION", "us-east-1")
ACCOUNT = "123456789012"


def install(statements: list[dict[str, Any]], function_name: str) -> None:
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call

    def guarded(client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        for action, resource in required(service, operation, params):
            if not allowed(statements, action, resource):
                message = (
                    f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{function_name}-role/{function_name} is not "
                    f"authorized to perform: {action} on resource: {resource} because no identity-based "
                    "policy allows the action"
                )
                print(f"[iam] {message}", file=sys.stderr, flush=True)
                code = "AccessDenied" if service in ("s3", "sqs") else "AccessDeniedException"
                raise ClientError({"Error": {"Code": code, "Message": message}}, operation)
        return original(client, operation, params)

    BaseClient._make_api_call = guarded


def allowed(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    verdicts = {
        statement.get("Effect")
        for statement in statements
        if _matches(statement, "Action", "NotAction", action.lower(), lower=True)
        and _matches(statement, "Resource", "NotResource", resource, lower=False)
    }
    return "Allow" in verdicts and "Deny" not in verdicts


def _matches(statement: dict[str, Any], key: str, not_key: str, value: str, *, lower: bool) -> bool:
    def patterns(raw: Any) -> list[str]:
        items = raw if isinstance(raw, list) else [raw]
        return [str(item).lower() if lower else str(item) for item in items]

    if not_key in statement:
        return not any(fnmatch.fnmatchcase(value, p) for p in patterns(statement[not_key]))
    return any(fnmatch.fnmatchcase(value, p) for p in patterns(statement.get(key, [])))


# -- operation → (action, resource) pairs ------------------------------------------------------------
def required(service: str, operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    mapper = _MAPPERS.get(service)
    if mapper is None:
        return [(f"{_prefix(service)}:{operation}", "*")]
    return mapper(operation, params)


def _prefix(service: str) -> str:
    return {"monitoring": "cloudwatch", "email": "ses"}.get(service, service)


def _table(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def _dynamodb(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        pairs = []
        for item in params.get("TransactItems", []):
            ((kind, body),) = item.items()
            pairs.append((f"dynamodb:{_TRANSACT_ACTIONS[kind]}", _table(body["TableName"])))
        return pairs
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table(table)) for table in params.get("RequestItems", {})]
    if "TableName" not in params:
        return [(f"dynamodb:{operation}", "*")]
    resource = _table(params["TableName"])
    if params.get("IndexName"):
        resource = f"{resource}/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", resource)]


def queue_arn(url: str) -> str:
    account, name = urlsplit(url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def _sqs(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    action = {
        "SendMessageBatch": "SendMessage",
        "DeleteMessageBatch": "DeleteMessage",
        "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    }.get(operation, operation)
    if "QueueUrl" in params:
        return [(f"sqs:{action}", queue_arn(params["QueueUrl"]))]
    if "QueueName" in params:
        return [(f"sqs:{action}", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{params['QueueName']}")]
    return [(f"sqs:{action}", "*")]


_S3_OBJECT_ACTIONS = {
    "HeadObject": "GetObject",
    "CopyObject": "PutObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
}
_S3_BUCKET_ACTIONS = {
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
    "HeadBucket": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
}


def _s3(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    bucket = params.get("Bucket", "*")
    if operation == "DeleteObjects":
        return [
            ("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{item['Key']}")
            for item in params.get("Delete", {}).get("Objects", [])
        ]
    if operation in _S3_BUCKET_ACTIONS:
        return [(f"s3:{_S3_BUCKET_ACTIONS[operation]}", f"arn:aws:s3:::{bucket}")]
    if "Key" in params:
        return [
            (f"s3:{_S3_OBJECT_ACTIONS.get(operation, operation)}", f"arn:aws:s3:::{bucket}/{params['Key']}")
        ]
    return [(f"s3:{operation}", f"arn:aws:s3:::{bucket}")]


def _events(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    def bus(name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}"

    if operation == "PutEvents":
        return [
            ("events:PutEvents", bus(entry.get("EventBusName", "default"))) for entry in params["Entries"]
        ]
    if "Name" in params and operation == "DescribeEventBus":
        return [("events:DescribeEventBus", bus(params["Name"]))]
    return [(f"events:{operation}", "*")]


def _secretsmanager(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    name_or_arn = str(params.get("SecretId", "*"))
    if name_or_arn.startswith("arn:") or name_or_arn == "*":
        return [(f"secretsmanager:{operation}", name_or_arn)]
    return [
        (f"secretsmanager:{operation}", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name_or_arn}")
    ]


def _sns(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    target = params.get("TopicArn") or params.get("TargetArn") or params.get("EndpointArn")
    target = target or params.get("PlatformApplicationArn")
    if operation == "Publish" and params.get("PhoneNumber"):
        target = params["PhoneNumber"]  # a phone number is no ARN: only NotResource statements allow it
    return [(f"sns:{operation}", str(target or "*"))]


def _ses(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    if operation not in ("SendRawEmail", "SendEmail"):
        return [(f"ses:{operation}", "*")]
    source = params.get("Source") or params.get("FromArn")
    if not source and "RawMessage" in params:  # SES takes the sender from the message's From header
        data = params["RawMessage"]["Data"]
        source = BytesHeaderParser().parsebytes(data if isinstance(data, bytes) else data.encode())["From"]
    address = parseaddr(str(source or ""))[1]
    # The sending identity: the template verifies the sender's address (MailFromIdentity).
    return [(f"ses:{operation}", f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{address or '*'}")]


_IOT_THING_OPERATIONS = {
    "CreateThing",
    "DescribeThing",
    "DeleteThing",
    "UpdateThing",
    "AttachThingPrincipal",
    "DetachThingPrincipal",
    "ListThingPrincipals",
}


def _iot(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    def arn(kind: str, name: str) -> str:
        return name if name.startswith("arn:") else f"arn:aws:iot:{REGION}:{ACCOUNT}:{kind}/{name}"

    if operation in _IOT_THING_OPERATIONS:
        return [(f"iot:{operation}", arn("thing", params["thingName"]))]
    if operation in ("AttachPolicy", "DetachPolicy"):
        return [(f"iot:{operation}", params["target"])]
    if "certificateId" in params:
        return [(f"iot:{operation}", arn("cert", params["certificateId"]))]
    return [(f"iot:{operation}", "*")]


def _kms(operation: str, params: dict[str, Any]) -> list[tuple[str, str]]:
    """A key's operations are authorised on the key's ARN (an id or alias is resolved by AWS; the
    functions name their key by ARN)."""
    key = str(params.get("KeyId") or "*")
    if not key.startswith("arn:") and key != "*":
        key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}"
    return [(f"kms:{operation}", key)]


_MAPPERS = {
    "dynamodb": _dynamodb,
    "sqs": _sqs,
    "s3": _s3,
    "events": _events,
    "secretsmanager": _secretsmanager,
    "kms": _kms,
    "sns": _sns,
    "ses": _ses,
    "iot": _iot,
}
