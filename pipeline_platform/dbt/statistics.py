"""Planner statistics for the raw tables, brought up to date right before ``dbt build`` reads them.

Right after a bulk load autovacuum has not analyzed the table yet, and a plan made for an empty
table turned the demo's incremental model build (16k rows) from milliseconds into a minute of nested
loops. Analyzing inside every load would tax each load instead (a 1M-row COPY pays ~15% for it);
here only tables never analyzed, or changed by more than autovacuum's own 10% threshold, are
analyzed, once per dbt step, so a daily run on a large history analyzes nothing.
"""

import psycopg
from psycopg import sql

from pipeline_platform.ingestion.load.table import SCHEMA

STALE = """
SELECT n.nspname, c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind IN ('r', 'p')
  AND (c.reltuples < 0 OR coalesce(s.n_mod_since_analyze, 0) > 0.1 * greatest(c.reltuples, 1))
ORDER BY 2
"""


def analyze_stale(url: str, schemas=(SCHEMA,)) -> list[str]:
    """ANALYZE the tables of ``schemas`` (the loaders') whose statistics are missing or stale."""
    with psycopg.connect(url, autocommit=True) as conn:
        stale = conn.execute(STALE, {"schemas": list(schemas)}).fetchall()
        for nsp, rel in stale:
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(nsp, rel)))
    return [f"{nsp}.{rel}" for nsp, rel in stale]
