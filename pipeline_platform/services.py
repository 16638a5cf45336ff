"""Local background services (demo API, dashboards, dbt docs, embedded Postgres), started and stopped by pid.

``make dev`` and ``make run`` start them; ``make stop`` must find every one again from the state
folder alone, so nothing a developer started keeps running after they are done. Starting, liveness
and stopping go through ``pipeline_platform.processes`` (psutil), like the dashboards'.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipeline_platform import processes
from pipeline_platform.resources import embedded

DEMO_API_URL_ENV = "PIPELINE_DEMO_API_URL"
DEMO_API_MODULE = "pipeline_platform.demo"  # also the marker its pid's command line must carry


def _pid_file(name: str) -> Path:
    return embedded.state_dir() / f"{name}.pid"


def demo_api_url() -> str:
    """The URL the API sources read (sources.yaml: ``base_url_env``); the demo serves it locally."""
    return os.environ.get(DEMO_API_URL_ENV) or "http://127.0.0.1:8765"


def ensure_demo_api() -> str:
    """Start the demo shop API detached unless it already answers; returns its URL."""
    url = demo_api_url()
    pid_file = _pid_file("demo_api")
    pid = int(pid_file.read_text()) if pid_file.exists() else None
    if processes.runs(pid, DEMO_API_MODULE) and processes.wait_http(f"{url}/health", 2):
        return url
    port = url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", DEMO_API_MODULE, "serve", "--host", "127.0.0.1", "--port", port]
    log_file = embedded.state_dir() / "demo_api.log"
    pid = processes.start(command, log_file, dict(os.environ))
    if not processes.wait_http(f"{url}/health", 30, pid):
        processes.stop(pid)
        raise RuntimeError(f"demo API did not start at {url}:\n{processes.log_tail(log_file)}")
    pid_file.write_text(str(pid))
    return url


def record_dagster_dev(pid: int) -> None:
    """``make dev`` records its ``dagster dev`` pid (the shell it execs into) for ``make stop``."""
    _pid_file("dagster_dev").write_text(str(pid))


def stop_tree(pid: int, timeout: float = 20.0, marker: str | None = None) -> bool:
    """Stop a process and all its descendants (for ``dagster dev``: webserver, daemon, code servers,
    run workers), SIGKILL after ``timeout``; True when something was running."""
    return processes.stop(pid, timeout, marker)


def stop_all() -> list[str]:
    done = []
    dev_pid = _pid_file("dagster_dev")
    if dev_pid.exists():
        if stop_tree(int(dev_pid.read_text()), marker="dagster"):  # the pid `make dev` execs into dagster dev
            done.append("stopped dagster dev (webserver, daemon, code server)")
        dev_pid.unlink()
    pid_file = _pid_file("demo_api")
    if pid_file.exists():
        processes.stop(int(pid_file.read_text()), marker=DEMO_API_MODULE)
        pid_file.unlink()
        done.append("stopped demo API")
    from pipeline_platform.dashboard import local  # owns the dashboards' state files

    done.extend(f"stopped dashboard {name}" for name in local.stop_recorded())
    from pipeline_platform.dbt import docs_server

    if docs_server.stop_recorded():
        done.append("stopped dbt docs server")
    if embedded.stop_embedded():
        done.append("stopped embedded Postgres")
    return done or ["nothing was running"]
