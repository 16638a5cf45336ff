"""Start, find and stop the platform's detached processes by pid, through psutil on every OS.

The services (demo API, ``dagster dev``), the dashboards and ``make stop`` all keep processes that
outlive the command that started them, so each is recorded by pid and found again later. One module
does it for all of them, with psutil rather than ``/proc``, so it works on macOS too. A pid is
never trusted alone: a pid file can outlive its process and the pid be reused, so callers that
signal a recorded pid pass a ``marker`` its command line must contain. Nothing here looks
processes up by name pattern.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import requests


def start(command: list[str], log_file: Path, env: dict[str, str] | None, cwd: Path | None = None) -> int:
    """Start ``command`` detached (own session, stdin closed, output to ``log_file``); returns its pid."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:  # one log per start: its tail explains this start only
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, cwd=cwd, start_new_session=True,
        )
    return proc.pid


def run(command: list[str], log_file: Path, env: dict[str, str] | None, timeout: float) -> int:
    """Run ``command`` to completion in its own session, output to ``log_file``; its exit code.

    Past ``timeout`` its process group is SIGKILLed and ``subprocess.TimeoutExpired`` raised; a
    server it started in a session of its own (a restart command's job) lives on.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:
        proc = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True
        )
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise


def alive(pid: int | None) -> bool:
    """True while ``pid`` runs; a zombie (exited, not yet reaped) counts as gone."""
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def runs(pid: int | None, marker: str) -> bool:
    """True when ``pid`` is alive and its command line mentions ``marker`` (guards against pid reuse)."""
    if not alive(pid):
        return False
    try:
        return any(marker in part for part in psutil.Process(pid).cmdline())
    except psutil.Error:
        return False


def stop(pid: int | None, timeout: float = 10.0, marker: str | None = None) -> bool:
    """SIGTERM ``pid`` and every descendant, SIGKILL what is left after ``timeout``; True if it ran.

    A process started by ``start`` leads its own process group, and a child that daemonized away
    from it is still in that group: the group gets the same signals. With ``marker``, a pid whose
    command line lacks it (a recycled pid) is left alone.
    """
    if not alive(pid) or (marker and not runs(pid, marker)):
        return False
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return False
    leads_group = _leads_group(pid)
    _signal_all(procs, pid if leads_group else None, signal.SIGTERM)
    _, left = psutil.wait_procs(procs, timeout=timeout)
    _signal_all(left, pid if leads_group else None, signal.SIGKILL)
    psutil.wait_procs(left, timeout=5)
    return True


def _leads_group(pid: int) -> bool:
    try:
        return hasattr(os, "getpgid") and os.getpgid(pid) == pid
    except OSError:
        return False


def _signal_all(procs: list[psutil.Process], group: int | None, sig: signal.Signals) -> None:
    if group is not None:
        with contextlib.suppress(OSError):
            os.killpg(group, sig)
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.send_signal(sig)


def wait_http(url: str, timeout: float, pid: int | None = None, every: float = 0.25) -> bool:
    """Poll ``url`` every ``every`` seconds until it answers 200 (True), the process ``pid`` dies, or
    ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid is not None and not alive(pid):
            return False
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(every)
    return False


def log_tail(log_file: Path, lines: int = 30) -> str:
    if not log_file.exists():
        return "(no log)"
    return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
