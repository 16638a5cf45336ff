"""The load audit trail (``raw._loads``): one row per load, written even when the load fails.

Row counts in Dagster metadata vanish with the instance; an audit table next to the data lets anyone
with SQL answer "what loaded this row, and when" and gives the dashboard its "data as of".
"""

from __future__ import annotations

import dagster as dg
import psycopg

DDL = """
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw._loads (
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
    finished_at timestamptz
)
"""


def start_load(url: str, asset: str, run_id: str | None, partition_key: str | None) -> int:
    """Record the start in its own committed transaction so a failed load still leaves a trace."""
    with psycopg.connect(url, autocommit=True) as conn:
        with conn.transaction():  # parallel first loads must not race on CREATE ... IF NOT EXISTS
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('raw._loads'))")
            conn.execute(DDL)
        row = conn.execute(
            "INSERT INTO raw._loads (asset, run_id, partition_key) VALUES (%s, %s, %s) RETURNING load_id",
            (asset, run_id, partition_key),
        ).fetchone()
    return row[0]


def finish_load(conn, load_id: int, counts: dict) -> None:
    """Mark success inside the load's own transaction: it commits exactly when the data does."""
    conn.execute(
        "UPDATE raw._loads SET status='success', finished_at=clock_timestamp(), rows_read=%(rows_read)s, "
        "inserted=%(inserted)s, updated=%(updated)s, deleted=%(deleted)s WHERE load_id=%(load_id)s",
        {**counts, "load_id": load_id},
    )


def fail_load(url: str, load_id: int, error: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "UPDATE raw._loads SET status='failed', finished_at=clock_timestamp(), error=%s WHERE load_id=%s",
            (error[:2000], load_id),
        )


audit_asset_spec = dg.AssetSpec(
    key=["raw", "_loads"],
    group_name="raw",
    description="Load audit trail, one row per raw load; written by every raw asset, read by dbt for 'data as of'.",
    kinds={"postgres"},
    metadata={"dagster/table_name": "warehouse.raw._loads"},
)
