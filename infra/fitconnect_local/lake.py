"""The analytics lake, locally: the template's Athena named queries run by DuckDB over the archive.

moto's Athena executes nothing, so `make query Q=<name>` takes the SQL of the `AWS::Athena::NamedQuery`
of that name (the same text Athena runs in AWS) and runs it with DuckDB over the analytics bucket's
layout — `events/dt=…/source=…/<id>.json` and `telemetry/dt=…/<batch>.jsonl` — as views named like
the Glue tables (`events`, `telemetry`), with the Glue tables' columns: one definition of the
schema (the template), one of each query.

    make query Q=fill_rate                 # over the running `make run`'s bucket (moto, port 4566)
    python -m fitconnect_local.lake fill_rate --dir /path/to/a/copy/of/the/bucket
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from fitconnect_local.provision import aws_client
from fitconnect_local.template import Template, load_template

REPO_ROOT = Path(__file__).resolve().parents[2]
# Where each table's files are under the bucket; DuckDB reads them whatever the partition.
TABLE_FILES = {"events": "events/*/*/*.json", "telemetry": "telemetry/*/*.jsonl"}
GLUE_TO_DUCKDB = {"string": "VARCHAR", "bigint": "BIGINT", "double": "DOUBLE", "boolean": "BOOLEAN"}


def named_queries(template: Template) -> dict[str, str]:
    """Every Athena named query of the stacks: name → SQL."""
    queries = {}
    for stack, logical_id in template.each("AWS::Athena::NamedQuery"):
        props = stack.resources[logical_id]["Properties"]
        queries[str(props["Name"])] = str(props["QueryString"])
    return queries


def _glue_table(template: Template, table: str) -> dict[str, Any]:
    """The `TableInput` of the template's Glue table of that name."""
    for stack, logical_id in template.each("AWS::Glue::Table"):
        table_input = stack.resources[logical_id]["Properties"]["TableInput"]
        if table_input["Name"] == table:
            return dict(table_input)
    raise KeyError(f"no Glue table {table} in the template")


def glue_columns(template: Template, table: str) -> dict[str, str]:
    """The Glue table's columns as DuckDB types."""
    columns = _glue_table(template, table)["StorageDescriptor"]["Columns"]
    return {column["Name"]: duckdb_type(column["Type"]) for column in columns}


def json_keys(template: Template, table: str) -> dict[str, str]:
    """Column → JSON key where the SerDe maps one (`mapping.<column>`); other columns keep their name."""
    parameters = _glue_table(template, table)["StorageDescriptor"]["SerdeInfo"].get("Parameters") or {}
    return {
        key.removeprefix("mapping."): str(value)
        for key, value in parameters.items()
        if key.startswith("mapping.")
    }


def duckdb_type(glue: str) -> str:
    """`struct<a:string,b:struct<c:bigint>>` → `STRUCT("a" VARCHAR, "b" STRUCT("c" BIGINT))`."""
    glue = glue.strip()
    if glue.startswith("struct<") and glue.endswith(">"):
        fields = [field.split(":", 1) for field in _top_level_split(glue[len("struct<") : -1])]
        return "STRUCT(" + ", ".join(f'"{name}" {duckdb_type(kind)}' for name, kind in fields) + ")"
    return GLUE_TO_DUCKDB[glue]


def _top_level_split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "<") - (char == ">")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def connect(template: Template, root: Path) -> Any:
    """A DuckDB connection with `events` and `telemetry` views over the archive under `root`."""
    import duckdb  # a development dependency: never in a function

    connection = duckdb.connect()
    for table, pattern in TABLE_FILES.items():
        columns = glue_columns(template, table)
        keys = json_keys(template, table)
        spec = ", ".join(f"'{keys.get(name, name)}': '{kind}'" for name, kind in columns.items())
        files = root / pattern
        select = ", ".join(f'"{keys.get(name, name)}" AS "{name}"' for name in columns)
        if any(root.glob(pattern)):
            source = f"read_json('{files}', format='auto', columns={{{spec}}})"
        else:  # nothing archived yet: the view exists, empty, with its columns
            source = (
                "(SELECT "
                + ", ".join(f'NULL::{kind} AS "{keys.get(name, name)}"' for name, kind in columns.items())
                + " LIMIT 0)"
            )
        # Names and types from our own template, never from a caller.
        connection.execute(f"CREATE VIEW {table} AS SELECT {select} FROM {source}")  # noqa: S608
    return connection


def run(template: Template, root: Path, name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The named query's column names and rows."""
    queries = named_queries(template)
    if name not in queries:
        raise KeyError(f"no named query {name!r}; there are: {', '.join(sorted(queries))}")
    connection = connect(template, root)
    result = connection.execute(queries[name])
    return [column[0] for column in result.description], result.fetchall()


def download_bucket(endpoint: str, bucket: str, into: Path) -> int:
    """The local runtime's analytics bucket (moto) copied under `into`; the number of objects."""
    s3 = aws_client("s3", endpoint)
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            if re.match(r"^(events|telemetry)/", item["Key"]):
                target = into / item["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, item["Key"], str(target))
                count += 1
    return count


def table_text(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    cells = [columns, *[["" if value is None else str(value) for value in row] for row in rows]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = [
        " | ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)) for line in cells
    ]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Run an Athena named query of the template with DuckDB.")
    parser.add_argument("query", nargs="?", help="the named query (none: list them)")
    parser.add_argument("--dir", help="a copy of the analytics bucket (default: the running make run's)")
    parser.add_argument("--endpoint", default="http://127.0.0.1:4566", help="the local runtime's moto")
    args = parser.parse_args()
    template = load_template(REPO_ROOT / "template.yaml", parameters={"Stage": "local"})
    if not args.query:
        print("\n".join(sorted(named_queries(template))))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(args.dir) if args.dir else Path(scratch)
        if not args.dir:
            bucket = template.physical["AnalyticsBucket"].ref
            print(
                f"{download_bucket(args.endpoint, bucket, root)} archived objects from {bucket}",
                file=sys.stderr,
            )
        columns, rows = run(template, root, args.query)
    print(table_text(columns, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
