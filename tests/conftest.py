"""Shared fixtures: one throwaway embedded Postgres per test session, never the developer's own.

Tests run against a real server because the platform's guarantees (COPY, upserts, transactions,
materialized views) are Postgres behaviour that no fake reproduces. The server lives in a temp
folder, so a running ``make dev`` is never touched, and ``PIPELINE_DATABASE_URL`` points every
subprocess (dbt, Streamlit, Dagster run workers) at it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from pipeline_platform.resources import embedded, warehouse
from tests.helpers import drop_schemas

pytest_plugins = ["tests.reliability_tally", "tests.clean_tree"]


@pytest.fixture(scope="session")
def pg_server():
    """A fresh embedded server for the whole session; yields its admin (``postgres`` db) URL."""
    root = Path(tempfile.mkdtemp(prefix="pp-test-"))
    server = embedded.start_server(root / "pgdata", cleanup_mode="delete")
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def database_url(pg_server, tmp_path_factory):
    """URL of the session's warehouse database, exported for every consumer (with the demo shop's
    production database's)."""
    from pipeline_platform.demo import production

    url = embedded.ensure_embedded(Path(pg_server.pgdata))
    state = tmp_path_factory.mktemp("state")
    old = {k: os.environ.get(k) for k in (warehouse.DATABASE_URL_ENV, embedded.STATE_DIR_ENV, production.URL_ENV)}
    os.environ[warehouse.DATABASE_URL_ENV] = url
    os.environ[embedded.STATE_DIR_ENV] = str(state)
    # The demo shop's production database beside the warehouse, as `make dev` sets it up; a demo
    # API a test starts brings it to the test's instant.
    os.environ[production.URL_ENV] = production.database_url(url)
    yield url
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def clean_warehouse(database_url):
    """The warehouse without the demo's schemas."""
    return drop_schemas(database_url, ("raw", "staging", "marts"))
