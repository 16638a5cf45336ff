"""``kind: postgres``: a table or query of another Postgres copied at COPY speed in one snapshot.

The rows never become Python objects: ``COPY (SELECT ...) TO STDOUT`` on the source is relayed in
blocks into the warehouse's staging COPY from one loop that waits on both sockets, in COPY's binary
format when every column keeps its source type (nothing to parse on either end), else in its text
format, which both ends read and write identically for compatible types. The types come from the source's own catalog (the result
columns' type oid and modifier, rendered by the source's ``format_type``), so ``numeric(12,3)``,
``jsonb`` or ``bytea`` arrive as themselves and no value is reinterpreted. The whole extract (the
rows, and for ``deletes: detect`` the keys) is read in one REPEATABLE READ, READ ONLY transaction,
so it is one consistent snapshot however long it takes; a row updated during the extract is in
this snapshot with its old cursor or in the next run's window with its new one.
"""

from __future__ import annotations

import select

import psycopg
from psycopg import sql
from psycopg.pq import ConnStatus, ExecStatus

from pipeline_platform.ingestion import drift
from pipeline_platform.ingestion.database.source import (
    DatabaseSourceError, OVERLAP, check_columns, fail, keys_stage, source_url, window_filter,
)
from pipeline_platform.ingestion.load.copy_writer import Relay
from pipeline_platform.ingestion.load.stage import ident_list
from pipeline_platform.ingestion.load.table import high_water_mark

# Same text on both ends: ISO dates, hex bytea, exact floats, UTF-8.
SESSION = ("SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET bytea_output = 'hex'; "
           "SET extra_float_digits = 3; SET client_encoding = 'UTF8'")
SAFE_KINDS = {"b", "r", "m"}  # base, range and multirange types of pg_catalog copy as themselves
WRITE_SIZE = 1 << 17  # bytes per write into the target COPY: often enough to keep it busy


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


def _wait(pgconn, into=None) -> None:
    """Wait until the source has data (reading it into libpq), sending queued target data meanwhile."""
    writer = getattr(into, "writer", None)
    sending = isinstance(writer, Relay) and writer.pending
    readable, writable, _ = select.select([pgconn.socket], [writer.socket] if sending else [], [])
    if writable:
        writer.send()
    if readable:
        pgconn.consume_input()  # raises OperationalError when the server is gone


def _result(pgconn):
    """The next result of what was sent on ``pgconn``, waiting for the server as long as it works."""
    while pgconn.is_busy():
        _wait(pgconn)
    return pgconn.get_result()


def _same_bytes(src, conn, types: dict[str, str], columns: dict[str, str]) -> bool:
    """Whether COPY's binary format can pass unchanged: every target column has the source's type
    and both servers store text in the same encoding (binary COPY converts no value, text COPY does)."""
    encoding = "server_encoding"
    return types == columns and src.info.parameter_status(encoding) == conn.info.parameter_status(encoding)


def _copy_out(spec, url, src, select_: sql.Composable, into, fmt: str = "text") -> None:
    """``COPY (select_) TO STDOUT`` on the source, its data written to ``into`` in blocks as sent.

    libpq delivers COPY data one row per message; psycopg's ``Copy`` spends a generator and a wait on
    each, which was most of a big copy. This loop takes the rows libpq already buffered without
    waiting (``get_copy_data`` in async mode) and waits only when the buffer is empty, on the source
    and (``copy_writer.Relay``) the target socket together, so one thread keeps both servers busy and
    no row is parsed. It runs in the source's snapshot transaction (psycopg opened it) and leaves the
    connection idle in that transaction."""
    pgconn = src.pgconn
    try:
        copy = sql.SQL("COPY ({}) TO STDOUT (FORMAT {})").format(select_, sql.SQL(fmt))
        pgconn.send_query(copy.as_bytes(src))
        while pgconn.flush():  # a non-blocking connection (as psycopg opens them) may send in parts
            select.select([], [pgconn.socket], [])
        result = _result(pgconn)
        if result.status != ExecStatus.COPY_OUT:
            _drain(pgconn)
            raise fail(spec, "the source rejected the extract", _message(result, src), url)
        get, parts, size = pgconn.get_copy_data, [], 0
        while True:
            n, data = get(1)
            if n > 0:
                parts.append(data)
                size += n
                if size >= WRITE_SIZE:
                    into.write(b"".join(parts))
                    parts, size = [], 0
            elif n == 0:
                _wait(pgconn, into)
            else:
                break
        if parts:
            into.write(b"".join(parts))
        result = _result(pgconn)
        _drain(pgconn)
        if result is None or result.status != ExecStatus.COMMAND_OK:
            raise fail(spec, "the source failed mid-extract", _message(result, src), url)
    except psycopg.OperationalError as exc:
        if pgconn.status == ConnStatus.OK:
            raise  # the warehouse's side: failures.py names it
        raise fail(spec, "the source failed mid-extract", exc, url) from None


def _drain(pgconn) -> None:
    while _result(pgconn) is not None:
        pass


def _message(result, src) -> str:
    if result is None:
        return "the server sent no result"
    return (result.error_message or b"").decode(src.info.encoding or "utf-8", "replace") or str(result.status)


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
        fmt = "binary" if _same_bytes(src, conn, types, columns) else "text"
        with sink.copy(list(types), relay=fmt) as into:
            _copy_out(spec, url, src, select, into, fmt)
        if opts.deletes == "detect":
            keys = keys_stage(conn, spec, {k: columns[k] for k in spec.primary_key})
            keys_select = sql.SQL("SELECT {} FROM {}").format(ident_list(spec.primary_key), relation(spec))
            with conn.cursor() as kcur, kcur.copy(sql.SQL("COPY {} FROM STDIN").format(keys)) as into:
                _copy_out(spec, url, src, keys_select, into)
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
