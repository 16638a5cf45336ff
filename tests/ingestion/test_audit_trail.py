"""The audit trail's lookups stay index probes as ``raw._loads`` grows, and an older trail gets the indexes.

Every load asks the trail for its asset's last success (row count, high-water mark) and sweeps it for
abandoned loads; a platform that has run for years holds a row per load and partition. The test
grows the trail to 30,000 rows of other assets and reads the plans Postgres chooses.
"""

from __future__ import annotations

import psycopg

from pipeline_platform.ingestion.load import audit
from tests.ingestion.conftest import failure_message
from tests.ingestion.test_csv import DAY1, entry, land


def _plan(conn, query: str, params=()) -> str:
    return "\n".join(r[0] for r in conn.execute(f"EXPLAIN {query}", params).fetchall())


def test_last_success_and_the_abandoned_sweep_use_the_trails_indexes(platform):
    land(platform, "2026-09-01", DAY1)
    assets = platform.sources({"customers": entry()})
    assert platform.materialize(assets, partition_key="2026-09-01").success
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("INSERT INTO raw._loads (asset, partition_key, status, finished_at, table_rows) "
                     "SELECT 'other_' || (g % 40), 'p' || g, 'success', now() - g * interval '1 minute', g "
                     "FROM generate_series(1, 30000) g")
        conn.execute("ANALYZE raw._loads")
        assert "_loads_last_success" in _plan(conn, audit.LAST_SUCCESS.format("table_rows"), ("customers",))
        assert "_loads_running" in _plan(conn, f"SELECT load_id FROM {audit.LOADS} WHERE status = 'running'")
        # a trail made before the indexes existed gets them at its next load, and the load succeeds
        conn.execute("DROP INDEX raw._loads_last_success, raw._loads_running")
    land(platform, "2026-09-02", DAY1.replace("2026-09-01T", "2026-09-02T"))
    result = platform.materialize(assets, partition_key="2026-09-02")
    assert result.success, failure_message(result)
    assert platform.last_load("customers")["table_rows"] == 3
    with psycopg.connect(platform.url) as conn:
        present = conn.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = 'raw' AND tablename = '_loads' "
                               "AND indexname = ANY(%s)", (list(audit.INDEXES),)).fetchone()[0]
    assert present == len(audit.INDEXES)
