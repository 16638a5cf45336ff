"""Batched event writes store what dagster-postgres stores one event at a time, row for row.

The same 30-day single-run backfill (an asset and a check) runs once through the stock storage with
batching off and once through the repo's storage; the event log, the check executions and the asset
row must match. A failed backfill must still mark each of its partitions failed, which Dagster
derives from the per-partition "planned" events.
"""

import collections

import dagster as dg
import psycopg
import pytest

from pipeline_platform import cli
from pipeline_platform.resources import embedded, warehouse
from pipeline_platform.resources.instance_storage import PooledPostgresEventLogStorage

DAYS = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-31")
RANGE = {"dagster/asset_partition_range_start": "2026-01-01", "dagster/asset_partition_range_end": "2026-01-30"}
STOCK = """
event_log_storage:
  module: dagster_postgres.event_log
  class: PostgresEventLogStorage
  config: {postgres_url: {env: DAGSTER_POSTGRES_URL}}
run_storage:
  module: dagster_postgres.run_storage
  class: PostgresRunStorage
  config: {postgres_url: {env: DAGSTER_POSTGRES_URL}}
schedule_storage:
  module: dagster_postgres.schedule_storage
  class: PostgresScheduleStorage
  config: {postgres_url: {env: DAGSTER_POSTGRES_URL}}
"""


def backfill(name: str, fail: bool = False):
    @dg.asset(name=name, partitions_def=DAYS, backfill_policy=dg.BackfillPolicy.single_run())
    def rows(context):
        if fail:
            raise RuntimeError("source went away")
        return dg.MaterializeResult(metadata={"days": len(context.partition_keys)})

    @dg.asset_check(asset=rows, name="has_days")
    def has_days():
        return dg.AssetCheckResult(passed=True)

    return [rows, has_days]


def stored(url: str, run_id: str, asset: str) -> dict:
    with psycopg.connect(warehouse.libpq_url(url)) as conn:
        events = conn.execute(
            "SELECT dagster_event_type, step_key, asset_key, partition FROM event_logs WHERE run_id = %s "
            "AND dagster_event_type IS NOT NULL", (run_id,)).fetchall()
        checks = conn.execute(
            "SELECT check_name, partition, execution_status, evaluation_event IS NOT NULL FROM asset_check_executions "
            "WHERE run_id = %s", (run_id,)).fetchall()
        last_run = conn.execute("SELECT last_run_id FROM asset_keys WHERE asset_key = %s",
                                (dg.AssetKey(asset).to_string(),)).fetchone()[0]
    keyless = [(t, s, a.replace(asset, "A") if a else a, p) for t, s, a, p in events]
    return {"events": collections.Counter(keyless), "checks": collections.Counter(checks), "last_run_is_this": last_run == run_id}


@pytest.fixture
def instance_env(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv(embedded.STATE_DIR_ENV, str(tmp_path))
    for key, value in cli.environment().items():
        monkeypatch.setenv(key, value)
    return cli.environment()


def test_batched_writes_store_what_single_writes_store(instance_env, monkeypatch, tmp_path):
    (tmp_path / "stock").mkdir()
    (tmp_path / "stock" / "dagster.yaml").write_text(STOCK)
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "0")
    stock = dg.DagsterInstance.from_config(str(tmp_path / "stock"))
    try:
        assert type(stock.event_log_storage).__name__ == "PostgresEventLogStorage"
        one_by_one = dg.materialize(backfill("stock_rows"), instance=stock, tags=RANGE)
    finally:
        stock.dispose()
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "2000")
    instance = dg.DagsterInstance.get()
    try:
        assert isinstance(instance.event_log_storage, PooledPostgresEventLogStorage)
        batched = dg.materialize(backfill("batched_rows"), instance=instance, tags=RANGE)
    finally:
        instance.dispose()
    assert one_by_one.success and batched.success
    expected = stored(instance_env["DAGSTER_POSTGRES_URL"], one_by_one.run_id, "stock_rows")
    got = stored(instance_env["DAGSTER_POSTGRES_URL"], batched.run_id, "batched_rows")
    assert sum(n for (t, *_), n in got["events"].items() if t == "ASSET_MATERIALIZATION_PLANNED") == 30
    assert got["checks"] == expected["checks"]
    assert sum(n for (_, p, status, _), n in got["checks"].items() if p and status == "PLANNED") == 30
    assert {(t, a, p): n for (t, s, a, p), n in got["events"].items()} == {
        (t, a, p): n for (t, s, a, p), n in expected["events"].items()}
    assert got["last_run_is_this"] and expected["last_run_is_this"]


def test_a_failed_batched_backfill_marks_every_partition_failed(instance_env, monkeypatch):
    monkeypatch.setenv("DAGSTER_EVENT_BATCH_SIZE", "2000")
    instance = dg.DagsterInstance.get()
    try:
        result = dg.materialize(backfill("failing_rows", fail=True), instance=instance, tags=RANGE, raise_on_error=False)
        assert not result.success
        attempts = instance.event_log_storage.get_latest_asset_partition_materialization_attempts_without_materializations(
            dg.AssetKey("failing_rows"))
    finally:
        instance.dispose()
    assert sorted(attempts) == DAYS.get_partition_keys()[:30]
    assert {run_id for run_id, _ in attempts.values()} == {result.run_id}
