"""Local mode: one detached Streamlit process per state folder, found again through ``state.json``.

The state file (``<state>/dashboard/state.json``: ``pid``, ``app_hash``, ``url``, ``app_dir``,
``warehouse``, ``log``) is the contract with ``make stop`` (``services.stop_all``). A server is reused
only when it runs the same app code, on the same URL, against the same warehouse and is healthy;
anything else is stopped and started again. Any failure stops what this deploy started or reused,
so a broken deploy never leaves an orphan (or a stale server that looks deployed).
"""

import hashlib
import json
import os
from pathlib import Path

from pipeline_platform.dashboard import server, verify
from pipeline_platform.dashboard.settings import Deployment
from pipeline_platform.resources.warehouse import DATABASE_URL_ENV, state_dir

MARKER = "streamlit"  # what a dashboard pid's command line must contain before we signal it


class LocalDeployError(RuntimeError):
    def __init__(self, message: str, log_file: Path):
        super().__init__(message)
        self.log_file = log_file


def state_file() -> Path:
    return state_dir() / "dashboard" / "state.json"


def read_state() -> dict:
    try:
        return json.loads(state_file().read_text())
    except (OSError, ValueError):
        return {}


def stop_recorded() -> bool:
    """Stop the server the state file names (if it is still ours) and forget it; True if one was recorded."""
    state = read_state()
    server.stop(state.get("pid"), marker=MARKER)
    state_file().unlink(missing_ok=True)
    return bool(state)


def compile_app(app_dir: Path, log_file: Path) -> None:
    """Syntax-check every source first: Streamlit would serve a broken page script as "healthy"."""
    for path in sorted(app_dir.rglob("*.py")):
        try:
            compile(path.read_bytes(), str(path), "exec")
        except (SyntaxError, ValueError) as exc:
            log_file.parent.mkdir(parents=True, exist_ok=True)
            log_file.write_text(f"deploy preflight: {type(exc).__name__} in {path}: {exc}\n")
            raise verify.DeployCheckError(f"{type(exc).__name__} in {path.name}: {exc}") from exc


def deploy(dep: Deployment, database_url: str, app_hash: str) -> dict:
    """Reuse or (re)start the server, then prove it serves the current data; returns its facts."""
    log_file = state_dir() / "dashboard" / "streamlit.log"
    wanted = {
        "app_hash": app_hash, "url": dep.url, "app_dir": str(dep.app_dir),
        "warehouse": hashlib.sha256(database_url.encode()).hexdigest()[:16],  # never the password itself
    }
    state = read_state()
    pid = state.get("pid")
    reused = (
        all(state.get(k) == v for k, v in wanted.items())
        and server.runs(pid, MARKER) and server.wait_healthy(dep.url, 2, pid)
    )
    try:
        if not reused:
            stop_recorded()
            compile_app(dep.app_dir, log_file)
            env = {**os.environ, DATABASE_URL_ENV: database_url}
            pid = server.start(server.streamlit_command(dep.url, dep.app_dir), log_file, env)
            state_file().write_text(json.dumps({"pid": pid, **wanted, "log": str(log_file)}))
            if not (server.wait_healthy(dep.url, dep.timeout, pid) and server.pid_alive(pid)):
                why = "exited" if not server.pid_alive(pid) else f"did not answer within {dep.timeout:g}s"
                raise verify.DeployCheckError(f"dashboard at {dep.url} {why} (pid {pid})")
        version = verify.wait_for_data_version(dep.url, database_url, dep.timeout)
    except Exception as exc:
        stop_recorded()
        raise LocalDeployError(str(exc), log_file) from exc
    return {"pid": pid, "reused": reused, "data_version": version}
