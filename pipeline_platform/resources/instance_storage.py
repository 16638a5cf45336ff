"""Dagster's instance storage for this checkout: found by itself, in its own schema, with a pooled event log.

Plain ``dagster dev``, ``dg dev`` and ``dagster definitions validate`` read the repo's ``dagster.yaml``
with nothing set, so the storages here find their database themselves, connecting (and starting the
embedded server) only when first used: ``DAGSTER_POSTGRES_URL`` when set, else schema ``dagster`` of
the warehouse (``PIPELINE_DATABASE_URL`` or the embedded server). Run history in its own
schema cannot collide with a dbt model called ``runs`` or go with a ``drop schema public cascade``; an
instance from before keeps its history, moved over on first use (``ALTER TABLE ... SET SCHEMA``: same
rows, ids and sequences). The event log adds a small connection pool and a remembered table check:
every run event is a row here, and a full-history run writes ~3,000 of them (a "planned" event and a
materialization per asset and day). dagster-postgres opens a new connection for each (NullPool) and,
per materialization, asks the catalog whether the asset-tags table exists; on a local Postgres that
cost more than the loads themselves. Two pooled connections cover the nested checkout (the table
check runs inside an event's own connection); pre-ping replaces a connection the server dropped,
e.g. across a Postgres restart, instead of failing the next event. Events also go in batches
(``event_batches.py``). The webserver still installs its own pool (``optimize_for_webserver``).
The instance's connections set ``synchronous_commit=off``: each event is its own commit, and waiting
for the WAL flush of every one took ~4 ms per insert on the bench's embedded Postgres (0.1 ms without),
the largest cost of a ``make run``'s ~1,500 events. A Postgres or OS crash can lose the last fraction of
a second of run history, never corrupt it; the warehouse's own connections (loads, dbt) keep the
server's default, and an explicit ``DAGSTER_POSTGRES_URL`` is used as given.
"""

import logging
import os
import threading
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import dagster as dg
import sqlalchemy.pool as db_pool
from dagster._core.storage.event_log.schema import SqlEventLogStorageMetadata
from dagster._core.storage.runs.schema import RunStorageSqlMetadata
from dagster._core.storage.schedules.schema import ScheduleStorageSqlMetadata
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.run_storage import PostgresRunStorage
from dagster_postgres.schedule_storage import PostgresScheduleStorage
from dagster_postgres.utils import create_pg_engine, get_token_provider_from_config, pg_url_from_config

from pipeline_platform.resources import warehouse
from pipeline_platform.resources.event_batches import BatchedEventWrites, enable_event_batches

INSTANCE_URL_ENV = "DAGSTER_POSTGRES_URL"
INSTANCE_SCHEMA = "dagster"
OLD_SCHEMA = "public"  # where instances before the namespace kept their tables
NAMESPACE_LOCK = 0x7069_7065_6C69  # pg advisory lock: one process prepares (and moves) at a time

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


def instance_url(explicit: str | None, database_url: str | None) -> str:
    """Where the instance storage lives: ``explicit`` (``DAGSTER_POSTGRES_URL``), else the namespace in
    warehouse ``database_url`` (``PIPELINE_DATABASE_URL``), else in the embedded server (started here)."""
    return explicit or prepare_namespace(database_url or warehouse.resolve_database_url())


def namespace_url(database_url: str) -> str:
    """The warehouse URL for dagster-postgres (psycopg2), with ``search_path`` set to the instance schema."""
    parts = urlsplit(database_url)
    query = dict(parse_qsl(parts.query))
    # Run history is bookkeeping: its commits need not wait for the WAL flush (see the module docstring).
    query["options"] = f"{query.get('options', '')} -csearch_path={INSTANCE_SCHEMA} -csynchronous_commit=off".strip()
    return warehouse.with_driver(urlunsplit(parts._replace(query=urlencode(query, safe="/", quote_via=quote))), "psycopg2")


def dagster_tables() -> set[str]:
    """Every table dagster-postgres creates, from Dagster's own schema metadata (so an upgrade that
    adds one moves it too), plus alembic's version table."""
    metadata = (RunStorageSqlMetadata, SqlEventLogStorageMetadata, ScheduleStorageSqlMetadata)
    return {name for meta in metadata for name in meta.tables} | {"alembic_version"}


def prepare_namespace(database_url: str) -> str:
    """Create the instance schema if missing, move an old instance into it, and return its URL."""
    import psycopg

    try:
        with psycopg.connect(warehouse.libpq_url(database_url)) as conn:  # one transaction, committed on exit
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (NAMESPACE_LOCK,))
            if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (INSTANCE_SCHEMA,)).fetchone():
                conn.execute(f"CREATE SCHEMA {INSTANCE_SCHEMA}")
            if moved := move_old_instance(conn):
                logging.getLogger(__name__).warning(
                    "moved Dagster's instance (%d tables: %s) from schema %s into schema %s of %s",
                    len(moved), ", ".join(moved), OLD_SCHEMA, INSTANCE_SCHEMA, warehouse.redact(database_url))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise RuntimeError(
            f"Dagster's run history needs schema {INSTANCE_SCHEMA!r} in {warehouse.redact(database_url)} and this "
            f"user may not create or use it ({exc}). Create the schema for this user, or point {INSTANCE_URL_ENV} "
            "at a database for Dagster (postgresql+psycopg2://...)."
        ) from exc
    return namespace_url(database_url)


def tables_in(conn, schema: str) -> set[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)).fetchall()
    return {name for (name,) in rows}


def move_old_instance(conn) -> list[str]:
    """Move an instance that predates the namespace (Dagster's tables in ``public``) into it.

    Only when the namespace holds no instance yet and ``public`` holds a whole one (runs, events and
    instance info: a lone dbt model called ``runs`` is not one). ``SET SCHEMA`` keeps rows, ids,
    indexes and sequences, in the caller's transaction: all tables move or none."""
    if "runs" in tables_in(conn, INSTANCE_SCHEMA):
        return []
    old = tables_in(conn, OLD_SCHEMA) & dagster_tables()
    if not {"runs", "event_logs", "instance_info"} <= old:
        return []
    for table in sorted(old):
        conn.execute(f'ALTER TABLE {OLD_SCHEMA}."{table}" SET SCHEMA {INSTANCE_SCHEMA}')
    return sorted(old)


class ResolvedOnFirstUse:
    """Mixin: the stock storage's ``__init__`` (connect, create tables) runs when an attribute it sets
    is first read. Dagster builds every storage of an instance up front, also for commands that never
    touch them (``dagster definitions validate``). The settings are read when the instance is built,
    as Dagster reads ``env:`` config; only the embedded server waits for first use."""

    def __init__(self, postgres_url: str | None = None, should_autocreate_tables: bool = True, inst_data=None):
        self._inst_data = inst_data
        self._instance_weakref = None
        self._resolving = threading.RLock()  # the webserver's threads reach a new storage at once
        self._pending = (postgres_url or os.environ.get(INSTANCE_URL_ENV), os.environ.get(warehouse.DATABASE_URL_ENV),
                         should_autocreate_tables)

    def __getattr__(self, name: str):
        if name.startswith("__") or "_resolving" not in self.__dict__:
            raise AttributeError(name)
        with self._resolving:  # reentrant: the stock __init__ probes attributes it has not set yet
            pending = self.__dict__.pop("_pending", None)
            if pending is not None:
                explicit, database_url, autocreate = pending
                registered = self._instance_weakref  # the stock __init__ resets the instance link
                before = set(self.__dict__)
                try:
                    super().__init__(instance_url(explicit, database_url), autocreate, self._inst_data)
                except BaseException:  # no half-built storage: the next use tries again (Postgres back)
                    for key in set(self.__dict__) - before:
                        del self.__dict__[key]
                    self._pending = pending
                    raise
                self._instance_weakref = registered
        return object.__getattribute__(self, name)

    def dispose(self) -> None:
        if self.__dict__.pop("_pending", None) is None:  # never used: nothing to close
            super().dispose()

    @classmethod
    def config_type(cls):
        return {"postgres_url": dg.Field(dg.StringSource, is_required=False),
                "should_autocreate_tables": dg.Field(bool, default_value=True)}

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(config_value.get("postgres_url"), config_value.get("should_autocreate_tables", True), inst_data)


class PlatformRunStorage(ResolvedOnFirstUse, PostgresRunStorage):
    pass


class PlatformEventLogStorage(ResolvedOnFirstUse, PooledPostgresEventLogStorage):
    pass


class PlatformScheduleStorage(ResolvedOnFirstUse, PostgresScheduleStorage):
    pass
