"""Fault 1 of issue 8: Postgres is killed in the middle of a large load, at three points.

Each case loads a first day into its own raw table (committed data to protect), then starts a
220,000-row second day and crashes the whole server (``crashable.py``: every process SIGKILLed)
once another connection sees the load reach its kill point: the COPY just started, the COPY half
way through its bytes (``pg_stat_progress_copy``), or the ``INSERT ... ON CONFLICT`` apply running
(``pg_stat_activity``). The run must fail naming the lost connection and the source; after the
restart the table's full content fingerprint equals the one taken before, no row of the killed
load exists and the audit row does not claim success; rerunning the partition then loads every
key of both files exactly once with the second day's values.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from tests.ingestion.conftest import Platform, failure_message
from tests.reliability.crashable import CrashableServer

DAY1, DAY2 = "2026-09-01", "2026-09-02"
FIRST = range(0, 60_000)  # day 1: version 1
SECOND = range(30_000, 250_000)  # day 2: version 2, 30,000 updates and 190,000 new keys
COLUMNS = {"id": "bigint", "name": "text", "amount": "numeric(12,2)", "updated_at": "timestamptz"}
POINTS = {
    "early": ("Postgres killed mid-COPY (early)",
              "SELECT bytes_processed FROM pg_stat_progress_copy WHERE command = 'COPY FROM'"),
    "middle": ("Postgres killed mid-COPY (middle)",
               "SELECT bytes_processed FROM pg_stat_progress_copy WHERE command = 'COPY FROM' "
               "AND bytes_processed >= %(half)s"),
    "apply": ("Postgres killed during the upsert",
              "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'WITH src AS %%'"),
}
FINGERPRINT = "SELECT count(*) || ':' || md5(string_agg(t::text, E'\\n' ORDER BY t.id)) FROM raw.{} t"


def row(i: int, version: int) -> tuple:
    return i, f"customer {i} v{version}", f"{(i % 997) + version / 100:.2f}", f"2026-09-0{version}T12:00:00+00:00"


def write_day(path, keys, version: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fh.write("id,name,amount,updated_at\n")
        fh.writelines(f"{i},{name},{amount},{at}\n" for i, name, amount, at in (row(i, version) for i in keys))


@pytest.fixture(scope="module")
def server():
    crashable = CrashableServer()
    yield crashable
    crashable.close()


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    write_day(root / "bulk" / f"bulk_{DAY1}.csv", FIRST, 1)
    write_day(root / "bulk" / f"bulk_{DAY2}.csv", SECOND, 2)
    return root


def source_diff(conn, table: str, folder) -> tuple[int, int, int, int]:
    """Rows of the source files (day 2 wins) missing or different in the table, rows it has beyond
    them, and its row and distinct-key counts. The files are read back by COPY, not regenerated."""
    for day in (DAY1, DAY2):
        name = f"day{day[-1]}"
        conn.execute(f"CREATE TEMP TABLE {name} (id bigint, name text, amount numeric(12,2), updated_at timestamptz)")
        with conn.cursor().copy(f"COPY {name} FROM STDIN (FORMAT csv, HEADER true)") as copy:
            copy.write((folder / f"bulk_{day}.csv").read_bytes())
    conn.execute("CREATE TEMP TABLE expected AS SELECT * FROM day2 UNION ALL "
                 "SELECT * FROM day1 WHERE NOT EXISTS (SELECT 1 FROM day2 WHERE day2.id = day1.id)")
    have = f"SELECT id, name, amount, updated_at FROM raw.{table}"
    lost = conn.execute(f"SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL {have}) d").fetchone()[0]
    extra = conn.execute(f"SELECT count(*) FROM ({have} EXCEPT ALL SELECT * FROM expected) d").fetchone()[0]
    total, distinct = conn.execute(f"SELECT count(*), count(DISTINCT id) FROM raw.{table}").fetchone()
    return lost, extra, total, distinct


def wait_for_kill_point(url: str, query: str, params: dict, loader: threading.Thread) -> tuple:
    deadline = time.monotonic() + 120
    with psycopg.connect(url, autocommit=True) as watch:
        while loader.is_alive() and time.monotonic() < deadline:
            found = watch.execute(query, params).fetchone()
            if found:
                return found
            time.sleep(0.002)
    raise AssertionError("the load finished (or took over 120 s) before reaching the kill point")


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_postgres_killed_mid_load_leaves_the_table_as_before(server, landing, tmp_path, point, fault_tally):
    label, query = POINTS[point]
    table = f"bulk_{point}"
    platform = Platform(server.url, tmp_path, landing)
    assets = platform.sources({table: {
        "kind": "csv", "landing_glob": "bulk/bulk_*.csv", "primary_key": ["id"], "cursor": "updated_at",
        "columns": COLUMNS}})
    assert platform.materialize(assets, partition_key=DAY1).success
    before = platform.scalar(FINGERPRINT.format(table))
    assert before.startswith(f"{len(FIRST)}:")

    outcome = {}
    loader = threading.Thread(target=lambda: outcome.setdefault("result", platform.materialize(assets, partition_key=DAY2)))
    loader.start()
    half = (landing / "bulk" / f"bulk_{DAY2}.csv").stat().st_size // 2
    seen = wait_for_kill_point(server.url, query, {"half": half}, loader)
    killed = server.kill()
    loader.join(timeout=120)
    assert not loader.is_alive(), "the load hung after the server died"
    server.start()

    message = failure_message(outcome["result"])
    after = platform.scalar(FINGERPRINT.format(table))
    audit = platform.last_load(table)
    leftovers = platform.scalar(f"SELECT count(*) FROM raw.{table} WHERE _load_id = %s", (audit["load_id"],))
    claimed = audit["status"] == "success"

    rerun = platform.materialize(assets, partition_key=DAY2)
    with psycopg.connect(server.url) as conn:
        lost, extra, total, distinct = source_diff(conn, table, landing / "bulk")
        killed_status = conn.execute("SELECT status, error FROM raw._loads WHERE load_id = %s",
                                     (audit["load_id"],)).fetchone()
    fault_tally.record(label, tries=1, lost=lost, duplicated=total - distinct + extra,
                       partial=int(after != before) + leftovers + int(claimed),
                       detail=f"SIGKILL of {killed} server processes at the {point} point "
                       f"({'upsert backend pid' if point == 'apply' else 'bytes copied'} {seen[0]})")

    assert not outcome["result"].success
    assert f"raw.{table}" in message and "lost the connection to the warehouse" in message, message
    assert after == before, "the killed load changed the table"
    assert leftovers == 0 and not claimed, audit
    assert rerun.success, failure_message(rerun)
    assert lost == extra == 0 and total == distinct == len(set(FIRST) | set(SECOND))
    assert killed_status[0] == "failed" and "abandoned" in killed_status[1], killed_status
