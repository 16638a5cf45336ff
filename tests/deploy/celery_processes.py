"""Runs launched over GraphQL execute their steps on two Celery workers, and survive losing one.

The deployment of ``conftest.py`` (gRPC code server, webserver, daemon, all from the wheel) plus
``celery.py``'s Redis and workers, all on loopback: the run worker the code server starts uses the
platform executor (``pipeline_platform/workers.py``), which sends raw loads to the ``raw`` queue and
the dbt step to ``dbt``. Which worker ran a step is read back from the event log, where every Celery
task records its worker's hostname. The kill test SIGKILLs the worker in the middle of its COPY: the
late-acknowledged step goes to the other worker, the table holds exactly one full load (never part
of one, never two), and a rerun completes. It takes minutes, so ``make test`` does not collect it:
``make test-containers`` runs it by path (CI runs both).
"""

from __future__ import annotations

import os
import signal
import time

import dagster as dg
import psycopg
import pytest

from pipeline_platform.partitions import daily_partitions
from pipeline_platform.workers import DBT_QUEUE, RAW_QUEUE
from tests.deploy.landing import land_csv
from tests.deploy.runs import (PENDING, counts, csv_sources, explain, launch, run_status, staging_of, step_workers,
                               submitted_queues, wait_for_run)


pytestmark = pytest.mark.slow


def test_steps_of_a_run_spread_over_both_celery_workers(webserver, daemon, celery_workers, deploy_databases,
                                                        deploy_dir):
    specs = csv_sources()[:2]
    assert len(specs) == 2, "two partitioned CSV sources are needed to load in parallel"
    day = daily_partitions.get_partition_keys()[1]  # test_run.py loads the first day
    landing = deploy_dir / "celery_landing"
    for spec in specs:
        land_csv(landing, spec, day, rows=4)
    raws = [dg.AssetKey(["raw", s.name]) for s in specs]
    # one staging model: a second may carry relationship tests to marts this run does not build
    keys = raws + [staging_of(raws[0])]
    before = counts(deploy_databases.warehouse, keys)
    run_id = launch(webserver.url, keys, day, landing)
    status = wait_for_run(webserver.url, run_id, timeout=420)
    workers = [w.server for w in celery_workers.values()]
    assert status == "SUCCESS", explain(webserver.url, run_id, daemon, *workers)

    ran = step_workers(webserver.url, run_id)
    hostnames = {w.name: w.hostname for w in celery_workers.values()}
    assert {w for _, w in ran} == set(hostnames.values()), ran  # both workers ran steps
    dbt_steps = [step for step, _ in ran if not step.startswith("raw__")]
    assert dbt_steps and all(w == hostnames["worker-b"] for s, w in ran if s in dbt_steps), ran  # only B serves dbt
    queues = submitted_queues(webserver.url, run_id)
    assert {queues[f"raw__{s.name}"] for s in specs} == {RAW_QUEUE}, queues
    assert {queues[s] for s in dbt_steps} == {DBT_QUEUE}, queues
    after = counts(deploy_databases.warehouse, keys)
    assert {k: after[k] - before[k] for k in after} == {k: 4 for k in after}, (before, after)
    with psycopg.connect(deploy_databases.warehouse) as conn:
        loads = conn.execute("SELECT status FROM raw._loads WHERE run_id = %s", (run_id,)).fetchall()
    assert loads == [("success",), ("success",)], loads


def _copy_running(warehouse: str) -> bool:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND state = 'active' AND query ILIKE 'COPY %'").fetchone()[0])


def test_worker_killed_mid_load_hands_the_step_on_and_leaves_no_partial_load(webserver, daemon, celery_workers,
                                                                             deploy_databases, deploy_dir):
    spec = csv_sources()[0]
    day = daily_partitions.get_partition_keys()[2]
    rows = 300_000  # seconds of COPY: time to find it running and kill its worker
    landing = deploy_dir / "kill_landing"
    land_csv(landing, spec, day, rows=rows)
    raw = dg.AssetKey(["raw", spec.name])
    before = counts(deploy_databases.warehouse, [raw])[raw]
    run_id = launch(webserver.url, [raw], day, landing)

    deadline, victim = time.monotonic() + 300, None
    while victim is None and time.monotonic() < deadline:
        status = run_status(webserver.url, run_id)
        assert status in PENDING, f"run ended ({status}) before its load could be interrupted"
        ran = step_workers(webserver.url, run_id)
        if ran and _copy_running(deploy_databases.warehouse):
            victim = next(w for w in celery_workers.values() if w.hostname == ran[-1][1])
        else:
            time.sleep(0.05)
    assert victim is not None, "the raw load's COPY was never seen running"
    os.kill(victim.server.proc.pid, signal.SIGKILL)  # the worker process runs the step itself (solo pool)
    survivor = next(w for w in celery_workers.values() if w is not victim)

    status = wait_for_run(webserver.url, run_id, timeout=420)
    assert status == "SUCCESS", explain(webserver.url, run_id, daemon, survivor.server)
    ran = step_workers(webserver.url, run_id)
    assert [w for _, w in ran] == [victim.hostname, survivor.hostname], ran  # handed on, once
    with psycopg.connect(deploy_databases.warehouse) as conn:
        assert conn.execute(f'SELECT count(*) FROM raw."{spec.name}"').fetchone()[0] == before + rows
        loads = conn.execute("SELECT status FROM raw._loads WHERE run_id = %s ORDER BY load_id", (run_id,)).fetchall()
    assert [s for (s,) in loads][-1] == "success" and len(loads) <= 2, loads  # the killed one is marked failed

    rerun = launch(webserver.url, [raw], day, landing)  # the survivor serves raw alone now
    assert wait_for_run(webserver.url, rerun, timeout=420) == "SUCCESS", explain(webserver.url, rerun, survivor.server)
    with psycopg.connect(deploy_databases.warehouse) as conn:
        assert conn.execute(f'SELECT count(*) FROM raw."{spec.name}"').fetchone()[0] == before + rows
