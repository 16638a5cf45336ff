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
from dataclasses import dataclass

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
    day = daily_partitions().get_partition_keys()[1]  # test_run.py loads the first day
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
    for spec, raw in zip(specs, raws):
        [load] = loads_of(deploy_databases.warehouse, run_id, spec.name)
        assert load.status == "success" and load.rows_read == 4, load
        assert after[raw] == before[raw] + load.net, (before, after, load)
    assert after[keys[-1]] == after[raws[0]]  # the staging view over the raw table


@dataclass
class Load:
    status: str
    rows_read: int | None
    net: int  # rows the load added to the table: inserted - deleted (snapshot sources delete)


def loads_of(warehouse: str, run_id: str, source: str) -> list[Load]:
    """The run's ``raw._loads`` rows for one source, oldest first."""
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute("SELECT status, rows_read, coalesce(inserted, 0) - coalesce(deleted, 0) FROM raw._loads "
                            "WHERE run_id = %s AND asset = %s ORDER BY load_id", (run_id, source)).fetchall()
    return [Load(*row) for row in rows]


def _copy_running(warehouse: str) -> bool:
    with psycopg.connect(warehouse, autocommit=True) as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND state = 'active' AND query ILIKE 'COPY %'").fetchone()[0])


def test_worker_killed_mid_load_hands_the_step_on_and_leaves_no_partial_load(webserver, daemon, celery_workers,
                                                                             deploy_databases, deploy_dir):
    spec = csv_sources()[0]
    day = daily_partitions().get_partition_keys()[2]
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
    killed, loaded = loads_of(deploy_databases.warehouse, run_id, spec.name)
    assert killed.status == "failed" and loaded.status == "success", (killed, loaded)  # the next load marked it
    assert loaded.rows_read == rows, loaded
    after = counts(deploy_databases.warehouse, [raw])[raw]
    assert after == before + loaded.net, (before, after, loaded)  # the killed COPY left nothing behind

    rerun = launch(webserver.url, [raw], day, landing)  # the survivor serves raw alone now
    assert wait_for_run(webserver.url, rerun, timeout=420) == "SUCCESS", explain(webserver.url, rerun, survivor.server)
    [again] = loads_of(deploy_databases.warehouse, rerun, spec.name)
    assert again.status == "success" and again.rows_read == rows and again.net == 0, again
    assert counts(deploy_databases.warehouse, [raw])[raw] == after
