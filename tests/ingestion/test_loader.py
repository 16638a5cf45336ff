"""Load modes and concurrency: full refresh swaps atomically, refuses to empty, append appends, lock serializes."""

from __future__ import annotations

import threading

import psycopg
import pytest

from tests.helpers import wait_until
from tests.ingestion.conftest import failure_message

COLUMNS = {"sku": "text", "price": "numeric(12,2)"}


def land(platform, text: str, name: str = "prices_2026-09-01.csv") -> None:
    folder = platform.landing / "prices"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)


def entry(**over) -> dict:
    return {"kind": "csv", "landing_glob": "prices/*.csv", "primary_key": ["sku"], "columns": COLUMNS,
            "partitioned": "none", **over}


@pytest.mark.parametrize("with_view", [False, True])
def test_full_refresh_replaces_the_table_and_refuses_to_empty_it(platform, with_view):
    assets = platform.sources({"prices": entry(load="full_refresh")})
    land(platform, "sku,price\na,1.00\nb,2.00\nc,3.00\n")
    assert platform.materialize(assets).success
    if with_view:  # dbt's staging views depend on raw tables: they must survive the swap
        with psycopg.connect(platform.url, autocommit=True) as conn:
            conn.execute("CREATE VIEW raw.prices_view AS SELECT sku, price FROM raw.prices")
    land(platform, "sku,price\nb,2.50\nd,4.00\n")
    result = platform.materialize(assets)
    assert result.success, failure_message(result)
    assert [(r[0], str(r[1])) for r in platform.rows("prices")] == [("b", "2.50"), ("d", "4.00")]
    if with_view:
        assert platform.scalar("SELECT count(*) FROM raw.prices_view") == 2
    assert platform.scalar("SELECT count(*) FROM pg_tables WHERE schemaname='raw' AND tablename LIKE 'prices\\_\\_%'") == 0
    land(platform, "sku,price\n")
    result = platform.materialize(assets)
    assert not result.success and "read 0 rows" in failure_message(result)
    assert len(platform.rows("prices")) == 2
    land(platform, "sku,price\nz,9.00\n")
    assert platform.materialize(assets).success  # a third swap reuses the index names cleanly
    assert platform.rows("prices")[0][0] == "z"


def test_append_inserts_every_row_every_time(platform):
    assets = platform.sources({"prices": entry(load="append", primary_key=[])})
    land(platform, "sku,price\na,1.00\nb,2.00\n")
    assert platform.materialize(assets).success
    assert platform.materialize(assets).success
    assert platform.scalar("SELECT count(*) FROM raw.prices") == 4


def test_duplicate_keys_in_one_extract_keep_the_newest_by_cursor(platform):
    assets = platform.sources({"prices": entry(columns={**COLUMNS, "updated_at": "timestamptz"}, cursor="updated_at")})
    land(platform, "sku,price,updated_at\na,1.00,2026-09-01T10:00Z\na,3.00,2026-09-01T12:00Z\na,2.00,2026-09-01T11:00Z\n")
    assert platform.materialize(assets).success
    assert str(platform.rows("prices")[0][1]) == "3.00"
    land(platform, "sku,price,updated_at\na,0.50,2026-09-01T09:00Z\n", name="prices_2026-09-02.csv")
    assert platform.materialize(assets).success
    assert str(platform.rows("prices")[0][1]) == "3.00"  # an older cursor never overwrites a newer row


def test_concurrent_writers_to_one_table_wait_for_the_advisory_lock(platform):
    assets = platform.sources({"prices": entry()})
    land(platform, "sku,price\na,1.00\n")
    holder = psycopg.connect(platform.url)
    holder.execute("SELECT pg_advisory_xact_lock(hashtext('raw.prices'))")
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("result", platform.materialize(assets)))
    worker.start()
    # Postgres itself says the load is queued behind the holder's advisory lock (no clock involved).
    waiting = wait_until(lambda: platform.scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> %s", (holder.info.backend_pid,)), 60)
    assert waiting == 1 and "result" not in outcome, "the load did not wait for the table's advisory lock"
    assert platform.last_load("prices")["status"] == "running"
    holder.commit()
    holder.close()
    worker.join(timeout=60)
    assert outcome["result"].success
    assert platform.last_load("prices")["status"] == "success"


def btree_indexes(platform, table: str) -> list[str]:
    """The leading column of each non-unique btree index on ``raw.<table>`` (the primary key's is unique)."""
    with psycopg.connect(platform.url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique ORDER BY 1", (f"raw.{table}",))]


def test_listed_indexes_are_created_once_and_serve_the_window_filter(platform):
    """An upsert target gets no cursor index of its own (its updates stay HOT-eligible) unless the
    team lists the column under ``indexes``; the next load creates it, later loads leave it, and a
    day's window over the table is then read through it instead of the whole table."""
    columns = {**COLUMNS, "updated_at": "timestamptz"}
    land(platform, "sku,price,updated_at\na,1.00,2026-09-01T10:00Z\n")
    assert platform.materialize(platform.sources({"prices": entry(columns=columns, cursor="updated_at")})).success
    assert btree_indexes(platform, "prices") == []
    listed = platform.sources({"prices": entry(columns=columns, cursor="updated_at", indexes=["updated_at", "price"])})
    assert platform.materialize(listed).success
    assert btree_indexes(platform, "prices") == ["price", "updated_at"]
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("INSERT INTO raw.prices (sku, price, updated_at) SELECT 's' || g, g, "
                     "timestamptz '2025-01-01' + g * interval '1 minute' FROM generate_series(1, 20000) g")
        conn.execute("ANALYZE raw.prices")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT sku FROM raw.prices WHERE updated_at >= '2025-01-02' AND updated_at < '2025-01-03'"))
    assert "prices_updated_at_idx" in plan and "Seq Scan" not in plan, plan
    land(platform, "sku,price,updated_at\na,2.00,2026-09-02T10:00Z\n", name="prices_2026-09-02.csv")
    assert platform.materialize(listed).success
    assert btree_indexes(platform, "prices") == ["price", "updated_at"]  # not built twice
    assert str(platform.scalar("SELECT price FROM raw.prices WHERE sku = 'a'")) == "2.00"


def test_an_appended_source_gets_its_cursor_index_once_even_when_also_listed(platform):
    """An unpartitioned ``append`` target's high-water mark is ``max()`` over its cursor, so the cursor
    is indexed without being listed; listing it too (with another column) builds no second index."""
    columns = {**COLUMNS, "updated_at": "timestamptz"}
    land(platform, "sku,price,updated_at\na,1.00,2026-09-01T10:00Z\n")
    appended = entry(columns=columns, cursor="updated_at", load="append", primary_key=[])
    assert platform.materialize(platform.sources({"prices": appended})).success
    assert btree_indexes(platform, "prices") == ["updated_at"]
    listed = platform.sources({"prices": {**appended, "indexes": ["updated_at", "sku"]}})
    assert platform.materialize(listed).success
    assert btree_indexes(platform, "prices") == ["sku", "updated_at"]
