"""The load audit trail (``raw._loads``): one row per load, written even when the load fails.

Row counts in Dagster metadata vanish with the instance; an audit table next to the data lets anyone
with SQL answer "what loaded this row, and when" and gives the dashboard its "data as of". A load
that dies with its session (a crashed server, a SIGKILLed run worker) cannot write its own failure,
so each load holds a liveness lock and the next load marks the dead ones failed: no row stays
'running' forever.
"""

from __future__ import annotations

import dagster as dg
from psycopg import sql

from pipeline_platform.ingestion.load.table import SCHEMA, existing_columns, target

LOADS = f"{SCHEMA}._loads"
DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {LOADS} (
    load_id bigserial PRIMARY KEY,
    asset text NOT NULL,
    run_id text,
    partition_key text,
    rows_read bigint,
    inserted bigint,
    updated bigint,
    deleted bigint,
    status text NOT NULL DEFAULT 'running',
    error text,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    table_rows bigint,
    cursor_max text
)
"""
# Added after the table first shipped; altered only where missing (the ALTER's lock would queue readers).
ADDED_COLUMNS = {"table_rows": "bigint", "cursor_max": "text"}
MISSING = (f"SELECT c FROM unnest(%s::text[]) c WHERE NOT EXISTS (SELECT 1 FROM pg_attribute "
           f"WHERE attrelid = '{LOADS}'::regclass AND attname = c AND NOT attisdropped)")
LAST_SUCCESS = f"SELECT {{}} FROM {LOADS} WHERE asset = %s AND status = 'success' ORDER BY finished_at DESC LIMIT 1"
# The trail gains a row per load and partition for ever; these keep the lookups every load makes
# (LAST_SUCCESS, up to three times, and the sweep for abandoned loads) probes instead of scans.
INDEXES = {
    "_loads_last_success": f"ON {LOADS} (asset, finished_at DESC) WHERE status = 'success'",
    "_loads_running": f"ON {LOADS} (load_id) WHERE status = 'running'",
}
# Created only where missing (once per warehouse): CREATE INDEX IF NOT EXISTS takes its SHARE lock even
# when the index exists, so every load would wait for the other loads' open transactions, each of which
# holds its own audit row's update until it commits.
MISSING_INDEXES = f"SELECT i FROM unnest(%s::text[]) i WHERE to_regclass('{SCHEMA}.' || quote_ident(i)) IS NULL"


# A live load holds a session advisory lock on (hashtext('raw._loads'), load id) for as long as its connection
# lives; Postgres drops it when the session ends in any way (crash, killed run worker, lost network).
def _load_key(column: str) -> str:
    return f"hashtext('{LOADS}'), ({column} %% 2147483647)::int"


ABANDONED = ("abandoned: the load's database session ended before it finished (server crash or restart, "
             "killed run worker, lost connection); its transaction was rolled back")


def start_load(conn, asset: str, run_id: str | None, partition_key: str | None) -> int:
    """Record the start on the load's own (autocommit) connection and take the load's liveness lock.

    The row commits at once so a failed load still leaves a trace; the lock is taken in the same
    statement, so no other session can see the row without it. Rows still 'running' whose lock is
    free belong to loads that died without a word: they are marked failed here, never left running.
    """
    with conn.transaction():  # parallel first loads must not race on CREATE ... IF NOT EXISTS
        conn.execute(f"SELECT pg_advisory_xact_lock(hashtext('{LOADS}'))")
        conn.execute(DDL)
        for (column,) in conn.execute(MISSING, (list(ADDED_COLUMNS),)).fetchall():
            conn.execute(f"ALTER TABLE {LOADS} ADD COLUMN {column} {ADDED_COLUMNS[column]}")
        for (index,) in conn.execute(MISSING_INDEXES, (list(INDEXES),)).fetchall():
            conn.execute(f"CREATE INDEX {index} {INDEXES[index]}")
        conn.execute(
            f"WITH running AS MATERIALIZED (SELECT load_id FROM {LOADS} WHERE status = 'running') "
            f"UPDATE {LOADS} AS l SET status = 'failed', finished_at = clock_timestamp(), error = %s "
            f"FROM running WHERE l.load_id = running.load_id AND pg_try_advisory_xact_lock({_load_key('running.load_id')})",
            (ABANDONED,),
        )
    row = conn.execute(
        f"WITH started AS (INSERT INTO {LOADS} (asset, run_id, partition_key) VALUES (%s, %s, %s) RETURNING load_id) "
        f"SELECT load_id, pg_advisory_lock({_load_key('load_id')})::text FROM started",
        (asset, run_id, partition_key),
    ).fetchone()
    return row[0]


def table_rows(conn, spec, counts: dict, emptied: bool) -> int:
    """The target's row count once this load commits, without counting a large table again: the
    last successful load of the asset recorded its count, and a load only adds rows (an upsert
    marks deletes, never removes), so it is that count plus what this load inserted; a full
    refresh, or a direct COPY into an empty table (``emptied``), holds exactly what it inserted.
    A table first loaded before the count was kept is counted, once. Run inside the load's
    transaction, under its table lock, so no other load of the table is between the two."""
    if spec.load == "full_refresh" or emptied:
        return counts["inserted"]
    last = conn.execute(LAST_SUCCESS.format("table_rows"), (spec.name,)).fetchone()
    if last is not None and last[0] is not None:
        return last[0] + counts["inserted"]
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target(spec.table, spec.schema))).fetchone()[0]


def _marks(spec) -> bool:
    """Whether the source continues from a high-water mark: unpartitioned, with a cursor, not replaced whole."""
    return bool(spec.cursor) and not spec.partitioned and spec.load != "full_refresh"


def high_water_mark(conn, spec) -> str | None:
    """The newest ``cursor`` value in the target (an unpartitioned source's next ``since``), as the
    last successful load recorded it (``cursor_max``): an index on the cursor made ``max()`` one
    probe, but it also made every rewrite of a changed row a non-HOT update with an insert into both
    indexes. A table emptied by hand starts over; one whose loads recorded no mark is scanned once."""
    t = target(spec.table, spec.schema)
    last = conn.execute(LAST_SUCCESS.format("cursor_max"), (spec.name,)).fetchone()
    if last is not None and last[0] is not None:
        return last[0] if conn.execute(sql.SQL("SELECT EXISTS (SELECT FROM {})").format(t)).fetchone()[0] else None
    return _as_text(conn.execute(sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(spec.cursor), t)).fetchone()[0])


def cursor_mark(conn, spec, written, emptied: bool) -> str | None:
    """The high-water mark once this load commits: the newest cursor among the previous mark and the
    rows this load wrote (``written``: its stage, or the target a direct COPY filled from empty, then
    ``emptied``), since a row only ever replaces one with an older cursor. None for an append's direct
    COPY into a filled table, whose next mark is ``max()`` over its cursor index (``table.ensure_indexes``)."""
    if not _marks(spec) or written is None:
        return None
    type_ = existing_columns(conn, spec.table, spec.schema).get(spec.cursor)
    if type_ is None:
        return None
    previous = None if emptied else high_water_mark(conn, spec)
    value = conn.execute(sql.SQL("SELECT max(c) FROM (SELECT max({}) AS c FROM {} UNION ALL SELECT CAST(%s AS {})) m")
                         .format(sql.Identifier(spec.cursor), written, sql.SQL(type_)), (previous,)).fetchone()[0]
    return _as_text(value)


def _as_text(value) -> str | None:
    return None if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


def finish_load(conn, load_id: int, counts: dict) -> None:
    """Mark success inside the load's own transaction: it commits exactly when the data does."""
    conn.execute(
        f"UPDATE {LOADS} SET status='success', finished_at=clock_timestamp(), rows_read=%(rows_read)s, "
        "inserted=%(inserted)s, updated=%(updated)s, deleted=%(deleted)s, table_rows=%(table_rows)s, "
        "cursor_max=%(cursor_max)s "
        "WHERE load_id=%(load_id)s",
        {**counts, "load_id": load_id},
    )


def fail_load(conn, load_id: int, error: str) -> None:
    """Mark the failure after the load's transaction rolled back; a committed success stays a success."""
    with conn.transaction():
        conn.execute(
            f"UPDATE {LOADS} SET status='failed', finished_at=clock_timestamp(), error=%s "
            "WHERE load_id=%s AND status='running'",
            (error[:2000], load_id),
        )


audit_asset_spec = dg.AssetSpec(
    key=[SCHEMA, "_loads"],
    group_name=SCHEMA,
    description="Load audit trail, one row per raw load; written by every raw asset, read by dbt for 'data as of'.",
    kinds={"postgres"},
    metadata={"dagster/table_name": LOADS},  # no database: an external table's connection is never opened
)
