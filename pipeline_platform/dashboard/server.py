"""A detached Streamlit server that outlives the run that started it, tracked by pid file.

The dashboard must keep serving between pipeline runs, so it cannot be a child the run worker
waits on; the pid, log and app hash live under the state folder so the next deploy (or
``make stop``) finds it again.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

APP_DIR = Path(__file__).resolve().parents[2] / "dashboards"


def app_hash(app_dir: Path = APP_DIR) -> str:
    """Hash of the app's source files: the deploy asset's code version."""
    digest = hashlib.sha256()
    files = [*app_dir.rglob("*.py"), *app_dir.rglob("*.toml")]
    for path in sorted(files):
        digest.update(path.relative_to(app_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie still answers kill(0); treat it as dead
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


def runs(pid: int | None, marker: str) -> bool:
    """True when ``pid`` is alive and its command line mentions ``marker`` (guards against pid reuse)."""
    try:
        return pid_alive(pid) and marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def stop(pid: int | None, timeout: float = 10.0, marker: str | None = None) -> None:
    """Stop the whole process group so no Streamlit worker is orphaned.

    With ``marker``, a pid whose command line lacks it (a recycled pid) is left alone.
    """
    if not pid_alive(pid) or (marker and not runs(pid, marker)):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:  # whatever of the group is still there (the leader after the timeout, stray children)
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def start(command: list[str], log_file: Path, env: dict[str, str]) -> int:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:  # one log per start: its tail explains this start only
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True,
        )
    return proc.pid


def streamlit_command(url: str, app_dir: Path = APP_DIR) -> list[str]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return [
        sys.executable, "-m", "streamlit", "run", str(app_dir / "serve.py"),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]


def wait_healthy(url: str, timeout: float, pid: int | None = None) -> bool:
    return wait_healthy_path(url, "/_stcore/health", timeout, pid)


def wait_healthy_path(url: str, path: str, timeout: float, pid: int | None = None) -> bool:
    """Poll ``url + path`` until it answers 200, the process dies, or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not pid_alive(pid):
            return False
        try:
            if requests.get(f"{url}{path}", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.25)
    return False


def log_tail(log_file: Path, lines: int = 30) -> str:
    if not log_file.exists():
        return "(no server log)"
    return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
