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

from pipeline_platform.ingestion.load.table import SCHEMA, target

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
    table_rows bigint
)
"""
# Added after the table first shipped; altered only where missing (the ALTER's lock would queue readers).
TABLE_ROWS = (f"SELECT NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '{LOADS}'::regclass "
              "AND attname = 'table_rows' AND NOT attisdropped)")


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
        if conn.execute(TABLE_ROWS).fetchone()[0]:
            conn.execute(f"ALTER TABLE {LOADS} ADD COLUMN table_rows bigint")
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
    last = conn.execute(
        f"SELECT table_rows FROM {LOADS} WHERE asset = %s AND status = 'success' ORDER BY finished_at DESC LIMIT 1",
        (spec.name,),
    ).fetchone()
    if last is not None and last[0] is not None:
        return last[0] + counts["inserted"]
    return conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target(spec.table, spec.schema))).fetchone()[0]


def finish_load(conn, load_id: int, counts: dict) -> None:
    """Mark success inside the load's own transaction: it commits exactly when the data does."""
    conn.execute(
        f"UPDATE {LOADS} SET status='success', finished_at=clock_timestamp(), rows_read=%(rows_read)s, "
        "inserted=%(inserted)s, updated=%(updated)s, deleted=%(deleted)s, table_rows=%(table_rows)s "
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
