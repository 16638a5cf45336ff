"""Command mode: a user command restarts a server the platform does not own; the asset checks the URL.

The command here starts a detached Streamlit (as ``docker compose restart`` would restart a
container) and exits; the asset must run it without a shell, wait for health at the given URL and
prove the data version, and report a failing command (or an app on another warehouse, or one not
started through the platform's entry wrapper) with the output. The app is started the way the
container is: ``python -m pipeline_platform.dashboard.entry --exposure dashboard``.
"""

from __future__ import annotations

import shlex
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from pipeline_platform import processes
from pipeline_platform.dashboard import server
from tests.dashboard_deploy.support import deploy, facts, failure

START = Path(__file__).with_name("start_detached.py")


def entry(app_dir: Path, port: int, *flags: str) -> list[str]:
    """The container's start command, with the test's copy of the app."""
    return [sys.executable, "-m", "pipeline_platform.dashboard.entry", "--exposure", "dashboard",
            "--app", str(app_dir / "app.py"), "--server.port", str(port), *flags]


@pytest.fixture
def pidfile(tmp_path):
    path = tmp_path / "server.pid"
    yield path
    if path.exists():
        pid = int(path.read_text())
        processes.stop(pid)
        assert not processes.alive(pid)


def test_command_restarts_the_app_and_the_url_is_checked(built_warehouse, app_dir, port, pidfile, tmp_path):
    streamlit = entry(app_dir, port, "--server.address", "127.0.0.1", "--server.headless", "true")
    command = shlex.join([sys.executable, str(START), str(pidfile), str(tmp_path / "server.log"), *streamlit])
    url = f"http://127.0.0.1:{port}"
    result = facts(deploy(built_warehouse.url, mode="command", command=command, url=url, timeout_seconds=45))
    assert result["mode"] == "command" and result["dagster/uri"] == url and "pid" not in result
    assert result["data_version"] == built_warehouse.version
    first = int(pidfile.read_text())
    assert server.wait_healthy(url, 5, first)

    again = facts(deploy(built_warehouse.url, mode="command", command=command, url=url, timeout_seconds=45))
    assert again["data_version"] == built_warehouse.version
    assert int(pidfile.read_text()) != first  # the command ran again: a restart, as asked


def test_failing_command_fails_with_its_output(built_warehouse, monkeypatch):
    monkeypatch.setenv("PIPELINE_DASHBOARD_MODE", "command")  # env fallbacks, read at run time
    monkeypatch.setenv("PIPELINE_DASHBOARD_COMMAND", f"{sys.executable} -c \"print('no such service; exit'); raise SystemExit(3)\"")
    result = deploy(built_warehouse.url, timeout_seconds=10)
    message = failure(result)
    assert "exited with 3" in message and "no such service; exit" in message, message


def test_command_never_goes_through_a_shell(built_warehouse, tmp_path):
    marker = tmp_path / "injected"
    result = deploy(built_warehouse.url, mode="command", command=f"true; touch {marker}", timeout_seconds=10)
    assert not result.success and not marker.exists()
    assert "cannot run dashboard command" in failure(result)


def test_app_reading_another_warehouse_fails_the_data_version_check(built_warehouse, app_dir, port, pidfile, tmp_path):
    with psycopg.connect(built_warehouse.url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS unbuilt")
        conn.execute("CREATE DATABASE unbuilt")  # same server, no marts: the app serves data_version null
    elsewhere = urlunsplit(urlsplit(built_warehouse.url)._replace(path="/unbuilt"))
    streamlit = entry(app_dir, port)
    command = shlex.join(["env", f"PIPELINE_DATABASE_URL={elsewhere}", sys.executable, str(START), str(pidfile),
                          str(tmp_path / "server.log"), *streamlit])
    result = deploy(built_warehouse.url, mode="command", command=command, url=f"http://127.0.0.1:{port}",
                    timeout_seconds=30)
    message = failure(result)
    assert f"serves data_version None, the warehouse holds {built_warehouse.version!r}" in message, message
    assert "started" in message  # the command's output tail


def test_app_started_without_the_entry_wrapper_is_reported_not_mistaken_for_a_deploy(
    built_warehouse, app_dir, port, pidfile, tmp_path
):
    bare = [sys.executable, "-m", "streamlit", "run", str(app_dir / "app.py"), "--server.port", str(port),
            "--server.headless", "true"]  # the page alone: no /_pp routes
    command = shlex.join([sys.executable, str(START), str(pidfile), str(tmp_path / "server.log"), *bare])
    result = deploy(built_warehouse.url, mode="command", command=command, url=f"http://127.0.0.1:{port}",
                    timeout_seconds=45)
    message = failure(result)
    assert "not JSON" in message and "wrong entry point" in message, message
