"""Local mode: one detached Streamlit process per exposure, found again through its state file.

The state file (``<state>/dashboard/<exposure>/state.json``: ``pid``, ``app_hash``, ``url``,
``app``, ``relations``, ``in_place``, ``warehouse``, ``log``) is the contract with ``make stop``
(``services.stop_all``). A server is reused only when it runs the same app code, on the same URL,
over the same relations, against the same warehouse and is healthy; anything else is stopped and
started again. Any failure stops what this deploy started or reused, so a broken deploy never leaves
an orphan (or a stale server that looks deployed).
"""

import hashlib
import json
import os
from pathlib import Path

from pipeline_platform import processes
from pipeline_platform.dashboard import server, verify
from pipeline_platform.dashboard.settings import Deployment
from pipeline_platform.resources.embedded import state_dir
from pipeline_platform.resources.warehouse import DATABASE_URL_ENV

MARKER = "streamlit"  # what a dashboard pid's command line must contain before we signal it


class LocalDeployError(RuntimeError):
    def __init__(self, message: str, log_file: Path):
        super().__init__(message)
        self.log_file = log_file


def state_folder(name: str) -> Path:
    return state_dir() / "dashboard" / name


def read_state(name: str) -> dict:
    try:
        return json.loads((state_folder(name) / "state.json").read_text())
    except (OSError, ValueError):
        return {}


def recorded() -> list[str]:
    """The exposures with a recorded local server."""
    return sorted(path.parent.name for path in (state_dir() / "dashboard").glob("*/state.json"))


def stop_recorded(name: str | None = None) -> list[str]:
    """Stop the server(s) recorded for ``name`` (all when None), if still ours, and forget them.

    Returns the exposures that had one recorded.
    """
    stopped = []
    for exposure in [name] if name else recorded():
        state = read_state(exposure)
        processes.stop(state.get("pid"), marker=MARKER)
        (state_folder(exposure) / "state.json").unlink(missing_ok=True)
        if state:
            stopped.append(exposure)
    return stopped


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
    """Reuse or (re)start the exposure's server, then prove it serves the current data; returns its facts."""
    folder = state_folder(dep.name)
    log_file = folder / "streamlit.log"
    wanted = {
        "app_hash": app_hash, "url": dep.url, "app": str(dep.app), "relations": list(dep.relations),
        "in_place": list(dep.in_place),
        "warehouse": hashlib.sha256(database_url.encode()).hexdigest()[:16],  # never the password itself
    }
    state = read_state(dep.name)
    pid = state.get("pid")
    reused = (
        all(state.get(k) == v for k, v in wanted.items())
        and processes.runs(pid, MARKER) and server.wait_healthy(dep.url, 2, pid)
    )
    try:
        if not reused:
            stop_recorded(dep.name)
            if not dep.app.is_file():
                raise verify.DeployCheckError(f"the exposure's app script {dep.app} does not exist")
            compile_app(dep.app_dir, log_file)
            env = {**os.environ, DATABASE_URL_ENV: database_url}
            command = server.streamlit_command(dep.url, dep.app, dep.relations, dep.in_place)
            pid = processes.start(command, log_file, env, cwd=dep.app_dir)
            (folder / "state.json").write_text(json.dumps({"pid": pid, **wanted, "log": str(log_file)}))
            if not (server.wait_healthy(dep.url, dep.timeout, pid) and processes.alive(pid)):
                why = "exited" if not processes.alive(pid) else f"did not answer within {dep.timeout:g}s"
                raise verify.DeployCheckError(f"dashboard at {dep.url} {why} (pid {pid})")
        version = verify.wait_for_data_version(dep.url, database_url, dep.relations, dep.in_place, dep.timeout)
    except Exception as exc:
        stop_recorded(dep.name)
        raise LocalDeployError(str(exc), log_file) from exc
    return {"pid": pid, "reused": reused, "data_version": version}
