"""Postgres killed while an API extract streams into it through the background COPY writer.

API pages reach COPY from a writer thread (``ingestion/load/copy_writer.py``), so the connection dies
under that thread, not under the loader's. The loader must still stop within seconds, fail naming
the lost connection and the source, and leave the table exactly as it was; a rerun then loads every
record of both days exactly once, with the second day's versions.
"""

from __future__ import annotations

import threading

import psycopg
import pytest

# Fixtures shared by import: ``api`` is the ingestion tests' loopback API, ``server`` a crashable Postgres.
from tests.ingestion.conftest import Platform, failure_message
from tests.ingestion.conftest import fault_server as api  # noqa: F401
from tests.reliability.test_postgres_kill import FINGERPRINT, server, wait_for_kill_point  # noqa: F401

DAY1, DAY2 = "2026-09-01", "2026-09-02"
FIRST, SECOND = range(0, 20_000), range(10_000, 150_000)
COLUMNS = {"id": "bigint", "name": "text", "amount": "numeric(12,2)", "updated_at": "timestamptz"}
MID_COPY = "SELECT bytes_processed FROM pg_stat_progress_copy WHERE command = 'COPY FROM' AND bytes_processed > 1000000"


def record(i: int, day: int) -> dict:
    return {"id": i, "name": f"customer {i} v{day}", "amount": round(i % 997 + day / 100, 2),
            "updated_at": f"2026-09-0{day}T{i % 24:02d}:00:00+00:00"}


@pytest.mark.slow
def test_postgres_killed_mid_api_copy_leaves_the_table_as_before(server, api, tmp_path, fault_tally):
    api.records = [record(i, 1) for i in FIRST] + [record(i, 2) for i in SECOND]
    platform = Platform(server.url, tmp_path, tmp_path)
    assets = platform.sources({"orders": {
        "kind": "api", "base_url": api.url, "endpoint": "/orders", "primary_key": ["id"],
        "cursor": "updated_at", "pagination": {"style": "cursor", "page_size": 5000}, "columns": COLUMNS}})
    assert platform.materialize(assets, partition_key=DAY1).success
    before = platform.scalar(FINGERPRINT.format("orders"))

    outcome = {}
    loader = threading.Thread(target=lambda: outcome.setdefault("result", platform.materialize(assets, partition_key=DAY2)))
    loader.start()
    seen = wait_for_kill_point(server.url, MID_COPY, {}, loader)
    killed = server.kill()
    loader.join(timeout=60)
    assert not loader.is_alive(), "the load hung after the server died"
    server.start()

    message = failure_message(outcome["result"])
    after = platform.scalar(FINGERPRINT.format("orders"))
    rerun = platform.materialize(assets, partition_key=DAY2)
    with psycopg.connect(server.url) as conn:
        total, distinct, old = conn.execute(
            "SELECT count(*), count(DISTINCT id), count(*) FILTER (WHERE id >= 10000 AND name NOT LIKE '%v2') "
            "FROM raw.orders").fetchone()
    want = len(set(FIRST) | set(SECOND))
    fault_tally.record("Postgres killed mid-COPY of an API extract (background writer)", tries=1,
                       lost=max(want - distinct, 0) + old, duplicated=total - distinct, partial=int(after != before),
                       detail=f"SIGKILL of {killed} server processes after {seen[0]} bytes copied")

    assert not outcome["result"].success
    assert "raw.orders" in message and "lost the connection to the warehouse" in message, message
    assert after == before, "the killed load changed the table"
    assert rerun.success, failure_message(rerun)
    assert (total, distinct, old) == (want, want, 0)
