"""Dagster's instance storage on Postgres, configured by the repo's own ``dagster.yaml``.

Guards the psycopg2 scheme: with SQLAlchemy 2.1 and psycopg 3 installed, a bare ``postgresql://``
URL makes every stored event fail on ``NOTIFY ... $1``; materializing through the instance catches it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
from dagster_postgres.run_storage import PostgresRunStorage

from pipeline_platform import cli
from pipeline_platform.resources import embedded, warehouse

REPO = Path(__file__).resolve().parents[2]

RUN_ONCE = """
import dagster as dg
@dg.asset
def heartbeat():
    return 1
result = dg.materialize([heartbeat], instance=dg.DagsterInstance.get())
print(result.run_id)
"""
LIST_RUNS = "import dagster as dg; print(len(dg.DagsterInstance.get().get_runs()))"


def test_instance_env_uses_psycopg2_scheme(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv(embedded.STATE_DIR_ENV, str(tmp_path))
    env = cli.environment()
    assert env["DAGSTER_POSTGRES_URL"].startswith("postgresql+psycopg2://")
    assert (Path(env["DAGSTER_HOME"]) / "dagster.yaml").resolve() == REPO / "dagster.yaml"


def test_runs_persist_in_postgres_across_processes(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv(embedded.STATE_DIR_ENV, str(tmp_path))
    for key, value in cli.environment().items():
        monkeypatch.setenv(key, value)
    env = dict(os.environ)
    run = subprocess.run([sys.executable, "-c", RUN_ONCE], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    # A new process (as after `make stop` + `make dev`) sees the run in the same storage.
    listed = subprocess.run([sys.executable, "-c", LIST_RUNS], env=env, capture_output=True, text=True, check=True)
    assert int(listed.stdout.strip()) >= 1
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert instance.get_run_by_id(run.stdout.strip().splitlines()[-1]).is_success
    finally:
        instance.dispose()


def test_event_log_reuses_its_connections_across_a_backfill(database_url, monkeypatch, tmp_path):
    """A 30-day single-run backfill writes ~100 events; they share a couple of pooled connections."""
    import sqlalchemy

    from pipeline_platform.resources.instance_storage import PooledPostgresEventLogStorage

    monkeypatch.setenv(embedded.STATE_DIR_ENV, str(tmp_path))
    for key, value in cli.environment().items():
        monkeypatch.setenv(key, value)
    days = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-31")

    @dg.asset(partitions_def=days, backfill_policy=dg.BackfillPolicy.single_run())
    def daily_rows(context):
        return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})

    instance = dg.DagsterInstance.get()
    try:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledPostgresEventLogStorage)
        connects = []
        sqlalchemy.event.listen(storage._engine, "connect", lambda *_: connects.append(1))
        tags = {"dagster/asset_partition_range_start": "2026-01-01", "dagster/asset_partition_range_end": "2026-01-30"}
        result = dg.materialize([daily_rows], instance=instance, tags=tags)
        assert result.success
        assert len(result.get_asset_materialization_events()) == 30
        assert len(instance.get_records_for_run(result.run_id, limit=1000).records) > 60
        assert len(connects) <= 3, f"{len(connects)} connections opened for one run's events"
    finally:
        instance.dispose()


def test_instance_writes_skip_the_commit_flush_and_the_warehouse_keeps_it(database_url, monkeypatch, tmp_path):
    """Run history commits without waiting for the WAL flush (``synchronous_commit=off``); the warehouse
    (loads, dbt) keeps the server's default. Checked on the connections the instance itself uses."""
    import psycopg
    import sqlalchemy

    monkeypatch.setenv(embedded.STATE_DIR_ENV, str(tmp_path))
    env = cli.environment()
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", env["DAGSTER_POSTGRES_URL"])
    try:
        for storage in (instance.event_log_storage, instance.run_storage):
            with storage._engine.connect() as conn:
                assert conn.execute(sqlalchemy.text("SHOW synchronous_commit")).scalar() == "off"
                assert conn.execute(sqlalchemy.text("SHOW search_path")).scalar() == "dagster"
    finally:
        instance.dispose()
    with psycopg.connect(warehouse.libpq_url(env[warehouse.DATABASE_URL_ENV])) as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "on"
    # libpq reads the same URL alike (a space encoded as "+" would reach it as a literal "+")
    with psycopg.connect(warehouse.libpq_url(env["DAGSTER_POSTGRES_URL"])) as conn:
        assert conn.execute("SHOW search_path").fetchone()[0] == "dagster"
        assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "off"
