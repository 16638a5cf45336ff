"""Fault 3 of issue 8: two runs of the same partition at once, as two real OS processes.

Two ``dagster job execute`` processes run the real ``refresh_warehouse`` job (every raw source,
then one ``dbt build``) for the same day, after a first run has built the day before. The test
forces the dangerous overlaps instead of hoping for them: it holds every raw table's advisory lock
until both runs wait on the same table, then holds ``fct_orders``' advisory lock until both dbt
builds wait on it at that model's start, and lets them go at once. (Gating at the model's DELETE
instead would wedge the test itself: the build stuck there holds a read lock on ``stg_orders``,
which the other build's in-place view replacement waits for, an external cycle Postgres cannot
see; without the test's gate that transaction simply ends.)

Which mechanism serializes the writes, shown by what the test observes and asserts:
- raw tables: the loader's transaction-level advisory lock per table (``loader.lock``); both runs
  are seen waiting on it, and of the two loads of each table only one writes rows, the other finds
  them committed (``raw._loads``);
- every dbt model: the platform's build lock (``pipeline_platform/dbt/build_lock.py``), a session
  advisory lock per selected model that the dbt step holds from before dbt starts until it exits.
  For ``fct_orders`` (incremental, delete+insert), without it two overlapping builds both delete and
  then both insert, duplicating every re-selected order (seen: 10 rows for 6 orders); with it both
  are seen queued on the build locks (one step on fct_orders', held by the test, the other on a
  lock the first step holds) and the second build replaces the first one's rows. For the table
  marts it also keeps the other build out of dbt's table swap (this test once failed on
  "mart_build_info__dbt_backup already exists" without it; ``tests/dbt_project/test_concurrent_builds.py``
  reproduces that race on purpose);
- not the ``warehouse`` pool of dagster.yaml: its default limit of 2 lets both dbt steps run at
  once, as both steps waiting on the build locks together show. A limit of 1 would serialize every
  raw load and dbt build of the platform, which the advisory locks make unnecessary.
Both runs must succeed (no deadlock: Postgres would have aborted one) within the bound.
"""

from __future__ import annotations

import time

import psycopg
import pytest

from pipeline_platform.demo.api import DemoApi
from pipeline_platform.demo.contract import CSV_ENTITIES, PRIMARY_KEYS
from pipeline_platform.demo import production
from pipeline_platform.demo.landing import file_path, land_days
from tests.helpers import platform_env
from tests.reliability.crashable import CrashableServer
from tests.reliability.two_runs import BUILD_LOCK_WAITERS, FCT_ORDERS_LOCK, RAW_LOCK_WAITERS, model_ids, run_env, start_run, tail

DAY_BEFORE, DAY, AS_OF = "2026-09-01", "2026-09-02", "2026-09-03T12:00:00+00:00"  # the shop opens on day 1
RAW = list(PRIMARY_KEYS)
WINDOW = "updated_at >= (%(d)s::date::timestamp AT TIME ZONE 'UTC') AND updated_at < (%(d)s::date::timestamp AT TIME ZONE 'UTC') + interval '1 day'"
BOUND = 240  # seconds a run gets to reach a gate, and both get to finish once released


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-runs")
    server = CrashableServer()  # its own server: the prepared dbt manifest names the database "warehouse"
    land_days(root / "landing", DAY_BEFORE, DAY, as_of=AS_OF)
    try:
        with pytest.MonkeyPatch.context() as env_patch:
            # The demo API brings the shop's production database beside this server's warehouse to AS_OF.
            env_patch.setenv(production.URL_ENV, production.database_url(server.url))
            with DemoApi(port=0, as_of=AS_OF) as api:
                env = platform_env(**run_env(root, server.url, api.url, root / "landing", AS_OF))
                seed = start_run(env, root, DAY_BEFORE, "history")
                assert seed.wait(timeout=BOUND) == 0, tail(root, "history")
                yield root, server.url, env
    finally:
        server.close()


def wait_for(watch, query: str, params, done, runs) -> list:
    deadline = time.monotonic() + BOUND
    while all(run.poll() is None for run in runs) and time.monotonic() < deadline:
        rows = watch.execute(query, params).fetchall()
        if done(rows):
            return rows
        time.sleep(0.02)
    raise AssertionError(f"no forced overlap within {BOUND}s; run exit codes: {[run.returncode for run in runs]}")


def both_on_one_table(rows) -> bool:
    return any(len({pid for name, pid in rows if name == table}) >= 2 for table in RAW)


@pytest.mark.slow
def test_two_runs_of_one_partition_at_once_neither_duplicate_nor_deadlock(shop, fault_tally):
    root, url, env = shop
    runs = []
    try:
        with psycopg.connect(url) as raw_gate, psycopg.connect(url, autocommit=True) as fct_gate, \
                psycopg.connect(url, autocommit=True) as watch:
            for table in RAW:
                raw_gate.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"raw.{table}",))
            fct_gate.execute(f"SELECT pg_advisory_lock({FCT_ORDERS_LOCK})")
            runs = [start_run(env, root, DAY, f"run{i}") for i in (1, 2)]
            raw_waits = wait_for(watch, RAW_LOCK_WAITERS, (RAW,), both_on_one_table, runs)
            raw_gate.commit()
            dbt_waits = wait_for(watch, BUILD_LOCK_WAITERS, (model_ids(),), lambda rows: len(rows) == 2, runs)
            fct_gate.execute(f"SELECT pg_advisory_unlock({FCT_ORDERS_LOCK})")
        codes = [run.wait(timeout=BOUND) for run in runs]
    finally:
        for run in runs:  # only on failure: a passing test has waited for both
            if run.poll() is None:
                run.kill()
                run.wait()

    with psycopg.connect(url) as conn:
        raw_dup = sum(conn.execute(f"SELECT count(*) - count(DISTINCT {key}) FROM raw.{name}").fetchone()[0]
                      for name, key in PRIMARY_KEYS.items())
        landed = {e: {int(line.split(",")[0]) for line in file_path(root / "landing", e, DAY).read_text().splitlines()[1:]}
                  for e in CSV_ENTITIES}
        have = {e: {r[0] for r in conn.execute(f"SELECT {PRIMARY_KEYS[e]} FROM raw.{e}")} for e in landed}
        raw_lost = sum(len(landed[e] - have[e]) for e in landed)
        writers = conn.execute(
            "SELECT asset, count(*), count(*) FILTER (WHERE status = 'success'), "
            "count(*) FILTER (WHERE inserted + updated + deleted > 0) FROM raw._loads WHERE partition_key = %s "
            "GROUP BY asset ORDER BY asset", (DAY,)).fetchall()
        fct_dup = conn.execute("SELECT count(*) - count(DISTINCT order_id) FROM marts.fct_orders").fetchone()[0]
        fct_lost = conn.execute(
            f"SELECT count(*) FROM (SELECT order_id FROM staging.stg_orders WHERE {WINDOW} "
            f"UNION SELECT order_id FROM staging.stg_payments WHERE {WINDOW}) touched "
            "WHERE order_id IN (SELECT order_id FROM staging.stg_orders) "
            "AND order_id NOT IN (SELECT order_id FROM marts.fct_orders)", {"d": DAY}).fetchone()[0]
    waited = sorted({name for name, _ in raw_waits})
    fault_tally.record("Two runs of one partition at once (ingest)", tries=1, lost=raw_lost, duplicated=raw_dup,
                       detail=f"both runs waited on the advisory lock of raw.{waited[0]}; loads per table: {writers}")
    fault_tally.record("Two runs of one partition at once (dbt build)", tries=1, lost=fct_lost, duplicated=fct_dup,
                       detail=f"both dbt steps ({len(dbt_waits)} sessions) queued on the models' build locks")

    assert codes == [0, 0], tail(root, "run1") + tail(root, "run2")
    assert raw_dup == raw_lost == fct_dup == fct_lost == 0
    assert [(asset, n, ok) for asset, n, ok, _ in writers] == [(name, 2, 2) for name in sorted(RAW)]
    assert all(wrote <= 1 for *_, wrote in writers), writers  # the second load found the first's rows committed
