"""A deploy that cannot work fails the asset with the server's log tail and leaves nothing running.

Each case breaks something different: the app's code, the port. The teardown of
every test (conftest) also asserts that no process from the test's temp folder survives.
"""

from __future__ import annotations

import socket

from pipeline_platform import processes
from pipeline_platform.dashboard import local
from tests.dashboard_deploy.support import deploy, facts, failure, pids_running


def settings(app_dir, port) -> dict:
    return {"app_dir": str(app_dir), "port": port, "timeout_seconds": 30}


def test_syntax_error_fails_with_log_tail_and_stops_the_old_server(built_warehouse, app_dir, port):
    good = facts(deploy(built_warehouse.url, **settings(app_dir, port)))
    (app_dir / "app.py").write_text((app_dir / "app.py").read_text() + "\ndef broken(:\n")  # the page only
    result = deploy(built_warehouse.url, **settings(app_dir, port))
    assert not result.success
    message = failure(result)
    assert "SyntaxError" in message and "log tail" in message, message
    assert not processes.alive(good["pid"])  # the previous deploy is not left half-replaced
    assert pids_running(str(app_dir)) == []
    assert local.read_state("dashboard") == {}


def test_port_already_taken_fails_with_log_tail(built_warehouse, app_dir, port):
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        result = deploy(built_warehouse.url, **settings(app_dir, port))
    assert not result.success
    message = failure(result)
    assert f"Port {port} is not available" in message and "log tail" in message, message
    assert pids_running(str(app_dir)) == []
    assert local.read_state("dashboard") == {}



def test_missing_app_script_fails_with_its_path(built_warehouse, app_dir, port):
    (app_dir / "app.py").unlink()  # the exposure names dashboards/app.py
    result = deploy(built_warehouse.url, **settings(app_dir, port))
    message = failure(result)
    assert f"app script {app_dir / 'app.py'} does not exist" in message, message
    assert local.read_state("dashboard") == {}
