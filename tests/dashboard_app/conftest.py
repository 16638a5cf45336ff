"""Fixtures for the dashboard tests: hand-built marts, the page's import path, a real server.

The server fixture starts the app exactly as a local deploy does (``server.streamlit_command``: the
platform's entry wrapper around ``dashboards/app.py``, over the demo exposure's relations, in a new
process group on a free port) and always stops it, so no test leaves a server behind.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline_platform import processes
from pipeline_platform.dashboard.server import streamlit_command, wait_healthy
from pipeline_platform.dbt.exposure import streamlit_exposures
from pipeline_platform.dbt.project import manifest_path
from tests.dashboard_app.marts_data import DASHBOARDS, Marts
from tests.helpers import free_port, platform_env


@pytest.fixture(scope="session", autouse=True)
def _dispose_page_engine(database_url):
    """Close the page's pooled connections before the session's Postgres shuts down."""
    yield
    page_module = sys.modules.get("pp_warehouse")
    if page_module is not None:
        page_module.engine().dispose()
        page_module.engine.clear()


@pytest.fixture
def marts(clean_warehouse) -> Marts:
    return Marts(clean_warehouse)


@pytest.fixture
def dashboards_on_path(monkeypatch):
    """What ``streamlit run`` does for the server (script folder on sys.path), for AppTest."""
    monkeypatch.syspath_prepend(str(DASHBOARDS))
    return DASHBOARDS


@pytest.fixture(scope="session")
def demo_exposure():
    [exposure] = streamlit_exposures(manifest_path())
    return exposure


@pytest.fixture
def dashboard_server(marts, tmp_path, demo_exposure):
    """The demo app through the entry wrapper with the documented flags, on a free port; yields its URL."""
    url = f"http://127.0.0.1:{free_port()}"
    command = streamlit_command(url, DASHBOARDS / "app.py", demo_exposure.relations, demo_exposure.in_place)
    log_path = tmp_path / "streamlit.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=DASHBOARDS, env=platform_env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        assert wait_healthy(url, 45, proc.pid), log_path.read_text(errors="replace")
        yield url
    finally:
        processes.stop(proc.pid)  # SIGTERM to it and its group, SIGKILL after 10 s
        proc.wait(timeout=10)
        assert not processes.alive(proc.pid)
