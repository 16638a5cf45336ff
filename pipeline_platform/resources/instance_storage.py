"""Dagster's Postgres event log with a small connection pool and a remembered table check.

Every run event is a row here, and a full-history run writes ~3,000 of them (a "planned" event and a
materialization per asset and day). dagster-postgres opens a new connection for each (NullPool) and,
per materialization, asks the catalog whether the asset-tags table exists; on a local Postgres that
cost more than the loads themselves. Two pooled connections cover the nested checkout (the table
check runs inside an event's own connection); pre-ping replaces a connection the server dropped,
e.g. across a Postgres restart, instead of failing the next event. Events also go in batches
(``event_batches.py``). Run and schedule storage stay stock. The webserver still installs its own
pool (``optimize_for_webserver``).
"""

import sqlalchemy.pool as db_pool
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

from pipeline_platform.resources.event_batches import BatchedEventWrites, enable_event_batches

POOL = {"poolclass": db_pool.QueuePool, "pool_size": 2, "max_overflow": 16, "pool_pre_ping": True,
        "pool_recycle": 3600}


class PooledPostgresEventLogStorage(BatchedEventWrites, PostgresEventLogStorage):
    def __init__(self, postgres_url, should_autocreate_tables=True, inst_data=None, token_provider=None):
        super().__init__(postgres_url, should_autocreate_tables, inst_data, token_provider)
        enable_event_batches()  # every process that writes events (run workers, daemon) builds this
        self._engine.dispose()
        self._engine = create_pg_engine(self.postgres_url, self._token_provider, isolation_level="AUTOCOMMIT", **POOL)
        self._tables_seen: set[str] = set()

    def has_table(self, table_name: str) -> bool:
        # Tables appear with `dagster instance migrate` and never vanish under a running process.
        if table_name not in self._tables_seen and super().has_table(table_name):
            self._tables_seen.add(table_name)
        return table_name in self._tables_seen

    def dispose(self) -> None:
        super().dispose()
        self._engine.dispose()  # a disposed instance gives its pooled connections back at once

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, postgres_url=pg_url_from_config(config_value),
                   should_autocreate_tables=config_value.get("should_autocreate_tables", True),
                   token_provider=get_token_provider_from_config(config_value))
