"""``kind: postgres``: a table or query of another Postgres copied at COPY speed in one snapshot.

The rows never become Python objects: ``COPY (SELECT ...) TO STDOUT`` on the source is piped chunk
by chunk into the warehouse's staging COPY, in COPY's text format, which both ends read and write
identically for the same column types. The types come from the source's own catalog (the result
columns' type oid and modifier, rendered by the source's ``format_type``), so ``numeric(12,3)``,
``jsonb`` or ``bytea`` arrive as themselves and no value is reinterpreted. The whole extract (the
rows, and for ``deletes: detect`` the keys) is read in one REPEATABLE READ, READ ONLY transaction,
so it is one consistent snapshot however long it takes; a row updated during the extract is in
this snapshot with its old cursor or in the next run's window with its new one.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from pipeline_platform.ingestion import drift
from pipeline_platform.ingestion.database.source import (
    DatabaseSourceError, OVERLAP, check_columns, fail, keys_stage, source_url, window_filter,
)
from pipeline_platform.ingestion.load.stage import ident_list
from pipeline_platform.ingestion.load.table import high_water_mark

# Same text on both ends: ISO dates, hex bytea, exact floats, UTF-8.
SESSION = ("SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET bytea_output = 'hex'; "
           "SET extra_float_digits = 3; SET client_encoding = 'UTF8'")
SAFE_KINDS = {"b", "r", "m"}
WRITE_SIZE = 1 << 20  # base, range and multirange types of pg_catalog copy as themselves


def relation(spec) -> sql.Composable:
    opts = spec.options
    if opts.query:
        return sql.SQL("({}) AS _source").format(sql.SQL(opts.query))
    return sql.Identifier(*opts.table)


def source_types(src, spec) -> dict[str, str]:
    """Column -> warehouse type, from the source's catalog; an unmappable type fails naming the column."""
    cur = src.execute(sql.SQL("SELECT * FROM {} LIMIT 0").format(relation(spec)))
    result = cur.pgresult
    types = {}
    for i, column in enumerate(cur.description):
        row = src.execute(
            "SELECT format_type(t.oid, %(mod)s), t.typtype, n.nspname, format_type(t.typbasetype, t.typtypmod), "
            "b.typtype, bn.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "LEFT JOIN pg_type b ON b.oid = t.typbasetype LEFT JOIN pg_namespace bn ON bn.oid = b.typnamespace "
            "WHERE t.oid = %(oid)s", {"oid": result.ftype(i), "mod": result.fmod(i)}).fetchone()
        shown, kind, schema, base, base_kind, base_schema = row
        if column.name in types:
            raise DatabaseSourceError(f"source '{spec.name}': the source returns column '{column.name}' twice")
        if schema == "pg_catalog" and kind in SAFE_KINDS:
            types[column.name] = shown
        elif kind == "e":
            types[column.name] = "text"  # an enum's labels, as text
        elif kind == "d" and base_schema == "pg_catalog" and base_kind in SAFE_KINDS:
            types[column.name] = base
        else:
            raise DatabaseSourceError(
                f"source '{spec.name}': column '{column.name}' has type {shown}, which the platform cannot map; "
                "select it cast to a built-in type in a `query`")
    return types


def _literal(cursor_type):
    def render(value, role):
        if role in ("since", "until"):
            return sql.SQL("CAST({} AS timestamptz)").format(sql.Literal(value))
        cast = sql.SQL("CAST({} AS {})").format(sql.Literal(value), sql.SQL(cursor_type))
        return sql.SQL("{} - interval {}").format(cast, sql.Literal(OVERLAP)) if role == "overlap" else cast
    return render


def _pipe(spec, url, out, into) -> None:
    """Source COPY data into the target COPY, in 1 MB writes (the source yields one row per chunk)."""
    chunks, buffer = iter(out), bytearray()
    while True:
        try:
            chunk = next(chunks)
        except StopIteration:
            break
        except psycopg.Error as exc:
            raise fail(spec, "the source failed mid-extract", exc, url) from None
        buffer += chunk
        if len(buffer) >= WRITE_SIZE:
            into.write(bytes(buffer))
            buffer.clear()
    if buffer:
        into.write(bytes(buffer))


def extract(context, conn, spec, window, existing, make_sink):
    url = source_url(spec)
    opts = spec.options
    try:
        src = psycopg.connect(url, connect_timeout=10, application_name=f"pipeline-platform source {spec.name}")
    except psycopg.Error as exc:
        raise fail(spec, "cannot connect to the source database", exc, url) from None
    try:
        src.isolation_level, src.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
        src.execute(SESSION)
        src.execute("SELECT set_config('TimeZone', %s, true)", (opts.source_timezone,))
        try:
            types = source_types(src, spec)
        except psycopg.errors.UndefinedTable as exc:
            raise fail(spec, "the source table does not exist", exc, url) from None
        declared = {c: t for c, t in spec.columns.items() if t}
        check_columns(spec, types, existing)
        known = drift.planned_columns(spec, existing)
        drift.accept(spec, known, list(types), f"source '{spec.name}'")
        columns = {c: declared.get(c) or existing.get(c) or t for c, t in types.items()}
        since = high_water_mark(conn, spec) if (not spec.partitioned and spec.cursor in existing) else None
        where = window_filter(spec, window, types.get(spec.cursor), since, _literal(types.get(spec.cursor)))
        select = sql.SQL("SELECT {} FROM {}{}").format(ident_list(types), relation(spec), where)
        sink = make_sink(columns)
        with src.cursor() as cur, cur.copy(sql.SQL("COPY ({}) TO STDOUT").format(select)) as out, \
                sink.copy(list(types), text=True) as into:
            _pipe(spec, url, out, into)
        if opts.deletes == "detect":
            keys = keys_stage(conn, spec, {k: columns[k] for k in spec.primary_key})
            keys_select = sql.SQL("SELECT {} FROM {}").format(ident_list(spec.primary_key), relation(spec))
            with src.cursor() as cur, cur.copy(sql.SQL("COPY ({}) TO STDOUT").format(keys_select)) as out, \
                    conn.cursor() as kcur, kcur.copy(sql.SQL("COPY {} FROM STDIN").format(keys)) as into:
                _pipe(spec, url, out, into)
        src.commit()
    except psycopg.Error as exc:
        if src.broken:
            raise fail(spec, "the source connection failed", exc, url) from None
        if src.info.transaction_status == psycopg.pq.TransactionStatus.INERROR:
            raise fail(spec, "the source rejected the extract", exc, url) from None
        raise  # the warehouse's error: failures.py names it
    finally:
        src.close()
    context.log.info(f"{spec.schema}.{spec.table}: {sink.rows} row(s) from the postgres source")
    return sink, {"source_rows": sink.rows, "source_since": since}
