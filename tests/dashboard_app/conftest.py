"""Fixtures for the dashboard tests: hand-built marts, the page's import path, a real server.

The server fixture starts Streamlit exactly as documented in ``dashboards/serve.py`` (a new process
group on a free port) and always stops the whole group, so no test leaves a server behind.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline_platform.dashboard.server import pid_alive, stop, wait_healthy
from tests.dashboard_app.marts_data import DASHBOARDS, Marts
from tests.helpers import free_port, platform_env

SERVER_FLAGS = ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]


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


@pytest.fixture
def dashboard_server(marts, tmp_path):
    """``python -m streamlit run dashboards/serve.py`` + the documented flags, on a free port; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboards/serve.py", "--server.port", str(port), *SERVER_FLAGS]
    log_path = tmp_path / "streamlit.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=DASHBOARDS.parent, env=platform_env(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_healthy(url, 45, proc.pid), log_path.read_text(errors="replace")
        yield url
    finally:
        stop(proc.pid)  # SIGTERM to the whole process group, SIGKILL after 10 s
        proc.wait(timeout=10)
        assert not pid_alive(proc.pid)
