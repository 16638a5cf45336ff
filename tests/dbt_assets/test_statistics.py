"""Raw tables reach dbt with planner statistics: fresh or heavily changed ones are analyzed, others not."""

import psycopg

from pipeline_platform.dbt.statistics import analyze_stale
from tests.helpers import wait_until

TABLE = 'raw."we""ird"'
MODS = "SELECT coalesce(n_mod_since_analyze, 0) FROM pg_stat_user_tables WHERE relid = %s::regclass"


def insert_rows(url: str, rows: int, new: int) -> None:
    """Insert from a session that then ends, and wait until the server has counted its changes
    (a backend reports them asynchronously), as when a load finished before the dbt step."""
    with psycopg.connect(url, autocommit=True) as loader:
        loader.execute(f"INSERT INTO {TABLE} SELECT g FROM generate_series(1, %s) g ON CONFLICT DO NOTHING", (rows,))
    with psycopg.connect(url, autocommit=True) as conn:
        wait_until(lambda: conn.execute(MODS, (TABLE,)).fetchone()[0] >= new, 10)


def test_fresh_or_heavily_changed_tables_are_analyzed(clean_warehouse):
    with psycopg.connect(clean_warehouse, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA raw")
        conn.execute(f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY) WITH (autovacuum_enabled = false)")  # no race
        insert_rows(clean_warehouse, 5000, new=5000)
        reltuples = lambda: conn.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (TABLE,)).fetchone()[0]  # noqa: E731
        assert reltuples() < 0  # never analyzed: the planner would guess
        assert analyze_stale(clean_warehouse) == ['raw.we"ird']
        assert reltuples() == 5000
        assert analyze_stale(clean_warehouse) == []  # up to date: a daily run pays nothing
        insert_rows(clean_warehouse, 5200, new=200)  # 200 new rows: 4%, below autovacuum's 10%
        assert analyze_stale(clean_warehouse) == []
        insert_rows(clean_warehouse, 7000, new=1800)
        assert analyze_stale(clean_warehouse) == ['raw.we"ird'] and reltuples() == 7000
        assert analyze_stale(clean_warehouse, ["no_such_schema"]) == []
