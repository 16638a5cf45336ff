"""Applying a filled stage to its target table in one transaction: upsert, append or full refresh.

Staging first means a malformed file or a dropped connection leaves the target exactly as it was
(``direct.py`` skips the stage only where it cannot change the result); the upsert only touches rows
whose cursor moved and whose values differ, so reruns are idempotent. The per-table advisory lock
serializes concurrent writers (two partitions of one table) without blocking readers.
"""

from __future__ import annotations

from psycopg import sql

from pipeline_platform.ingestion.load import refresh, upsert
from pipeline_platform.ingestion.load.stage import Stage, ident_list
from pipeline_platform.ingestion.load.table import ensure_table, lock, target


def append(conn, spec, stage: Stage, load_id: int) -> dict:
    names = ident_list(stage.columns)
    # The load id is a Literal, not a %s parameter: a column named "100%s" would read as a placeholder.
    cur = conn.execute(
        sql.SQL("INSERT INTO {} ({}, _load_id) SELECT {}, {} FROM {}").format(
            target(spec.table, spec.schema), names, names, sql.Literal(load_id), stage.ident
        )
    )
    return {"inserted": cur.rowcount, "updated": 0, "deleted": 0}


def apply(conn, spec, stage: Stage, load_id: int) -> dict:
    """Lock the table, bring its columns up to the stage's, then apply with the declared load mode."""
    lock(conn, spec.table, spec.schema)
    if spec.load == "full_refresh":
        return refresh.swap(conn, spec, stage, load_id)
    ensure_table(conn, spec.table, stage.columns, spec.primary_key if spec.load == "upsert" else (), spec.schema)
    return (upsert.upsert if spec.load == "upsert" else append)(conn, spec, stage, load_id)
