"""History for the incremental case: warehouses holding 30 or 365 days before the day that is run.

The demo shop opened on 2026-09-01, so only its first 30 days are real history for a run of
2026-10-01. Older history is those 30 days copied further back in time, 12 blocks for 365 days
(so 390 days in all): every date and timestamp moves back 30 days per block and the keys of
customers, orders, payments and NPS answers move by a block offset, so keys stay unique and every
order keeps its customer and payments. One full ``dbt build`` then makes the marts match.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import psycopg

KEYS = ("customer_id", "order_id", "payment_id", "response_id")  # products stay: one catalogue
TABLES = ("customers", "orders", "payments", "nps_responses")
BLOCK_DAYS, KEY_OFFSET = 30, 100_000_000


def extend(url: str, days: int, schema: str = "raw", tables: tuple[str, ...] = TABLES) -> int:
    """Copy the real 30 days back in whole blocks until the history spans at least ``days`` days.

    Whole blocks only: cutting one at a date would keep orders whose customer fell off the edge.
    The same shift applied to a production database's table (``schema``, ``tables``) gives the source
    the history its warehouse holds. Returns the days the history spans."""
    blocks = -(-(days - BLOCK_DAYS) // BLOCK_DAYS)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in tables:
            cols = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s ORDER BY ordinal_position", (schema, table)).fetchall()
            exprs = [f"{c} + k * {KEY_OFFSET}" if c in KEYS else
                     f"{c} - k * interval '{BLOCK_DAYS} days'" if t.startswith(("timestamp", "date")) else c
                     for c, t in cols]
            conn.execute(f"INSERT INTO {schema}.{table} ({', '.join(c for c, _ in cols)}) SELECT {', '.join(exprs)} "
                         f"FROM {schema}.{table} CROSS JOIN generate_series(1, {blocks}) AS k WHERE {cols[0][0]} < {KEY_OFFSET}")
            conn.execute(f"ANALYZE {schema}.{table}")
    return BLOCK_DAYS * (blocks + 1)


def dbt_build(url: str, tmp: Path) -> None:
    """One full ``dbt build`` (no window vars) into ``url``; target and logs stay in ``tmp``."""
    from pipeline_platform.dbt.cli_resource import VENV_DBT
    from pipeline_platform.dbt.project import dbt_project, profile_args
    from pipeline_platform.resources.warehouse import dbt_env

    project = str(dbt_project().project_dir)
    proc = subprocess.run([str(VENV_DBT), "build", "--project-dir", project, *profile_args(), "--target-path", str(tmp / "dbt_target"), "--log-path", str(tmp / "dbt_logs")],
                          capture_output=True, text=True, env={**os.environ, **dbt_env(url)})
    if proc.returncode:
        raise RuntimeError(f"dbt build of the history failed:\n{proc.stdout[-3000:]}")


def row_count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@contextlib.contextmanager
def environ(values: dict[str, str]):
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_job(env: dict[str, str], partition_key: str | None = None, first: str | None = None,
            last: str | None = None) -> None:
    """``refresh_warehouse`` (raw loads + one dbt build) in-process, for a day or a single-run range."""
    import dagster as dg

    from pipeline_platform.definitions import defs

    tags = {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last} if first else None
    with environ(env), dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("refresh_warehouse").execute_in_process(
            instance=instance, partition_key=partition_key, tags=tags, raise_on_error=False)
    if not result.success:
        errors = [e.step_failure_data.error.message for e in result.all_events if e.is_step_failure]
        raise RuntimeError(f"refresh_warehouse failed: {' | '.join(errors)[:2000]}")
