"""Batched event writes for the local event log, so a single-run backfill does not cost a write per day.

A run over the demo history plans ~1,400 asset-partition materializations and ~60 partitioned
checks before its first step, then reports a materialization per asset and day. Dagster hands these
to the storage in batches when ``DAGSTER_EVENT_BATCH_SIZE`` is set (off by default in OSS), but
dagster-postgres writes only materialization batches in one statement; planned events go one insert
each, and a partitioned check plan serializes itself once per partition. Here a run's plan is one
transaction of a few statements with dagster-postgres's own rows (the asset row keeps the last event
per asset, as Dagster's materialization batches do), so a retry of a failed batch cannot duplicate it.

Measured on 2026-12-03 (issue 23), now that only incremental models are partitioned: graph-overhead
(``make run`` vs the bare commands) in one run, batched, stock (``DAGSTER_EVENT_BATCH_SIZE=0``) and
bare alternating, 3 rounds, 1-minute load average 3.7-6 on 2 shared cores: batched 1.66 (1.55-2.12,
``make run`` 24.2 s median), stock 2.57 (2.31-2.65, 37.2 s): the stock event log is ~54% slower, so
batching stays. (With every instance commit waiting for the WAL flush, before ``synchronous_commit=off``
in ``instance_storage.py``: 1.63 vs 2.69.)

Dagster has no public API for this, so this is the one module that writes through dagster-postgres
internals. ``WRITTEN_FOR`` pins the release series it was written and checked against, and
``RELIED_ON`` names every internal it uses; tests/foundation/test_private_apis.py fails, naming the
internal that changed, when an installed Dagster no longer matches either.
"""

import itertools
import os

from dagster import DagsterEventType, serialize_value
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable, SqlEventLogStorageTable

# Checked against dagster 1.13.27 / dagster-postgres 0.29.27; pyproject.toml keeps these series.
WRITTEN_FOR = {"dagster": "1.13", "dagster-postgres": "0.29"}
_STORAGE = "dagster_postgres.event_log.PostgresEventLogStorage"
_SCHEMA = "dagster._core.storage.event_log.schema"
# Dotted name -> the parameter names relied on (None: only that it exists). "called by" entries say
# which Dagster method must still call the one overridden here, or the override is silently skipped.
RELIED_ON = {
    f"{_STORAGE}.store_event_batch": ("events",),
    f"{_STORAGE}.prepare_insert_event_batch": ("events",),
    f"{_STORAGE}.index_transaction": (),
    f"{_STORAGE}.index_connection": (),
    f"{_STORAGE}._store_asset_event": ("conn", "event", "event_id"),
    f"{_STORAGE}._store_asset_event_tags": ("conn", "events", "event_ids"),
    f"{_STORAGE}._event_insert_timestamp": ("event",),
    f"{_STORAGE}._store_asset_check_evaluation_planned": ("event", "event_id"),
    f"{_SCHEMA}.SqlEventLogStorageTable.c.id": None,
    **{f"{_SCHEMA}.AssetCheckExecutionsTable.c.{column}": None for column in (
        "asset_key", "check_name", "partition", "run_id", "execution_status", "evaluation_event",
        "evaluation_event_timestamp", "evaluation_event_storage_id")},
    "dagster._core.storage.asset_check_execution_record.AssetCheckExecutionRecordStatus.PLANNED": None,
}
# Dagster code that must still name what is overridden or set here, or the override is silently skipped.
CALLED_BY = (
    ("dagster._core.storage.event_log.sql_event_log.SqlEventLogStorage.store_asset_check_event",
     "_store_asset_check_evaluation_planned"),
    ("dagster._core.instance.methods.event_methods.EventMethods.handle_new_event", "store_event_batch"),
    ("dagster._core.instance.utils._get_event_batch_size", "DAGSTER_EVENT_BATCH_SIZE"),
)

# Events per write; the largest batch here is a run's planned events (~1,500 for the demo history).
EVENT_BATCH_SIZE = 2000
PLANNED = DagsterEventType.ASSET_MATERIALIZATION_PLANNED
CHECK_PLANNED = DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED


def enable_event_batches() -> None:
    """Dagster reads the size from the environment on every event; an explicit setting wins."""
    os.environ.setdefault("DAGSTER_EVENT_BATCH_SIZE", str(EVENT_BATCH_SIZE))


class BatchedEventWrites:
    """Mixin over ``PostgresEventLogStorage``."""

    def store_event_batch(self, events) -> None:
        # A run's planned events come as one batch, asset and check plans interleaved by key.
        kinds = (PLANNED, CHECK_PLANNED)
        for planned, run in itertools.groupby(events, key=lambda e: e.dagster_event_type in kinds):
            run = list(run)
            if planned and len(run) > 1:
                self._store_planned_batch(run)
            else:
                super().store_event_batch(run)

    def _store_planned_batch(self, events) -> None:
        with self.index_transaction() as conn:
            insert = self.prepare_insert_event_batch(events).returning(SqlEventLogStorageTable.c.id)
            stored = list(zip(events, [int(row[0]) for row in conn.execute(insert).fetchall()]))
            assets = [(event, event_id) for event, event_id in stored if event.dagster_event_type == PLANNED]
            if assets:
                self._store_asset_event_tags(conn, *zip(*assets))
                for event, event_id in {event.dagster_event.asset_key: (event, event_id) for event, event_id in assets}.values():
                    self._store_asset_event(conn, event, event_id)
            checks = [row for event, event_id in stored if event.dagster_event_type == CHECK_PLANNED
                      for row in self._check_planned_rows(event, event_id)]
            if checks:
                conn.execute(AssetCheckExecutionsTable.insert(), checks)

    def _store_asset_check_evaluation_planned(self, event, event_id) -> None:
        with self.index_connection() as conn:
            conn.execute(AssetCheckExecutionsTable.insert(), self._check_planned_rows(event, event_id))

    def _check_planned_rows(self, event, event_id) -> list[dict]:
        """dagster's rows for a planned check, one per partition, with the event serialized once."""
        planned = event.dagster_event.event_specific_data
        partitions = planned.partitions_subset.get_partition_keys() if planned.partitions_subset else [None]
        row = dict(
            asset_key=planned.asset_key.to_string(),
            check_name=planned.check_name,
            run_id=event.run_id,
            execution_status=AssetCheckExecutionRecordStatus.PLANNED.value,
            evaluation_event=serialize_value(event),
            evaluation_event_timestamp=self._event_insert_timestamp(event),
            evaluation_event_storage_id=event_id,
        )
        return [{**row, "partition": partition} for partition in partitions]
