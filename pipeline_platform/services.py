"""Local background services (demo API, dashboard, dbt docs, embedded Postgres), started and stopped by pid.

``make dev`` and ``make run`` start them; ``make stop`` must find every one again from the state
folder alone, so nothing a developer started keeps running after they are done.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from pipeline_platform.dashboard import server
from pipeline_platform.resources import warehouse

DEMO_API_URL_ENV = "PIPELINE_DEMO_API_URL"


def _pid_file(name: str) -> Path:
    return warehouse.state_dir() / f"{name}.pid"


def demo_api_url() -> str:
    """The URL the API sources read (sources.yaml: ``base_url_env``); the demo serves it locally."""
    return os.environ.get(DEMO_API_URL_ENV) or "http://127.0.0.1:8765"


def ensure_demo_api() -> str:
    """Start the demo shop API detached unless it already answers; returns its URL."""
    url = demo_api_url()
    pid_file = _pid_file("demo_api")
    pid = int(pid_file.read_text()) if pid_file.exists() else None
    if server.pid_alive(pid) and server.wait_healthy_path(url, "/health", 2):
        return url
    port = url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "pipeline_platform.demo", "serve", "--host", "127.0.0.1", "--port", port]
    pid = server.start(command, warehouse.state_dir() / "demo_api.log", dict(os.environ))
    if not server.wait_healthy_path(url, "/health", 30, pid):
        server.stop(pid)
        raise RuntimeError(f"demo API did not start at {url}:\n{server.log_tail(warehouse.state_dir() / 'demo_api.log')}")
    pid_file.write_text(str(pid))
    return url


def record_dagster_dev(pid: int) -> None:
    """``make dev`` records its ``dagster dev`` pid (the shell it execs into) for ``make stop``."""
    _pid_file("dagster_dev").write_text(str(pid))


def stop_tree(pid: int, timeout: float = 20.0) -> bool:
    """SIGTERM a process and all its descendants (webserver, daemon, code servers, run workers),
    then SIGKILL whatever is left after ``timeout``; True when something was running."""
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return False
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for proc in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    return True


def stop_all() -> list[str]:
    done = []
    dev_pid = _pid_file("dagster_dev")
    if dev_pid.exists():
        if stop_tree(int(dev_pid.read_text())):
            done.append("stopped dagster dev (webserver, daemon, code server)")
        dev_pid.unlink()
    pid_file = _pid_file("demo_api")
    if pid_file.exists():
        server.stop(int(pid_file.read_text()))
        pid_file.unlink()
        done.append("stopped demo API")
    from pipeline_platform.dashboard import local  # owns the dashboard's state.json format

    if local.stop_recorded():
        done.append("stopped dashboard")
    from pipeline_platform.dbt import docs_server

    if docs_server.stop_recorded():
        done.append("stopped dbt docs server")
    if warehouse.stop_embedded():
        done.append("stopped embedded Postgres")
    return done or ["nothing was running"]
