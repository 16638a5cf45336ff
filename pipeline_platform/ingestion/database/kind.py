"""The database kinds (``postgres``, ``mysql``): their keys and their options, shared by both engines.

A database source names its connection only through an environment variable (``url_env``), and
either a ``table`` (``schema.table``) or a ``query``; ``deletes: detect`` compares keys to mark rows
that vanished; ``source_timezone`` says what wall-clock zone the source's zone-less timestamps are in.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline_platform.ingestion.database import mysql, postgres
from pipeline_platform.ingestion.database.source import mark_deleted
from pipeline_platform.ingestion.source_kind import SourceKind

KEYS = frozenset({"url_env", "table", "query", "deletes", "source_timezone"})


@dataclass(frozen=True)
class DatabaseOptions:
    url_env: str
    table: tuple[str, ...] | None  # (schema, table) or (table,)
    query: str | None
    deletes: str | None
    source_timezone: str


def _options(e) -> DatabaseOptions:
    url_env = e.string("url_env", required=True)
    if not url_env.replace("_", "a").isalnum() or url_env[0].isdigit():
        e.fail("url_env", f"must be an environment variable name, got {url_env!r}")
    table, query = e.string("table"), e.string("query")
    if (table is None) == (query is None):
        e.fail("table", "give exactly one of `table` (schema.table) or `query`")
    parts = tuple(table.split(".")) if table else None
    if parts and (len(parts) > 2 or not all(parts)):
        e.fail("table", f"must be `table` or `schema.table`, got {table!r}")
    deletes = e.get("deletes")
    if deletes not in (None, "detect"):
        e.fail("deletes", f"must be 'detect' (or absent), got {deletes!r}")
    if deletes and (e.get("load", "upsert") != "upsert" or not e.get("primary_key")):
        e.fail("deletes", "`deletes: detect` compares primary keys; it needs load: upsert and a primary_key")
    return DatabaseOptions(url_env=url_env, table=parts, query=query, deletes=deletes,
                           source_timezone=e.string("source_timezone", default="UTC"))


def _after_apply(conn, spec) -> dict:
    return mark_deleted(conn, spec) if spec.options.deletes == "detect" else {}


POSTGRES = SourceKind(keys=KEYS, options=_options, extract=postgres.extract, after_apply=_after_apply,
                      continues_from_mark=True)
MYSQL = SourceKind(keys=KEYS, options=_options, extract=mysql.extract, after_apply=_after_apply,
                   continues_from_mark=True)
