"""The one process module: start detached, tell alive from gone, stop a whole tree by pid only.

``make stop`` trusts a pid file; the process behind it may have children (Streamlit's, dagster
dev's code servers and run workers) or may be gone with its pid reused by something else. Each
case runs real processes and waits on events (a ready file, the pid itself), never on time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from pipeline_platform import processes

# A parent that starts a child, writes the child's pid once it runs, then sleeps.
PARENT = """
import pathlib, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pathlib.Path(sys.argv[1]).write_text(f"{child.pid}")
time.sleep(600)
"""


def wait_for(path: Path, pid: int, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()) and time.monotonic() < deadline:
        assert processes.alive(pid), "the process died before it was ready"
        time.sleep(0.05)
    return path.read_text()


def test_stop_ends_the_process_and_its_children_by_pid(tmp_path):
    ready = tmp_path / "child.pid"
    pid = processes.start([sys.executable, "-c", PARENT, str(ready), "pp-process-test"], tmp_path / "log", None)
    child = int(wait_for(ready, pid))
    assert processes.alive(pid) and processes.alive(child)
    assert processes.runs(pid, "pp-process-test") and not processes.runs(pid, "something-else")

    assert processes.stop(pid, marker="something-else") is False  # a recycled pid is left alone
    assert processes.alive(pid)

    assert processes.stop(pid, timeout=10, marker="pp-process-test") is True
    assert not processes.alive(pid) and not processes.alive(child)
    assert processes.stop(pid) is False  # already gone: nothing to do, no error


def test_stop_kills_what_ignores_sigterm(tmp_path):
    ready = tmp_path / "ready"
    stubborn = f"import pathlib, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); pathlib.Path({str(ready)!r}).write_text('1'); time.sleep(600)"
    pid = processes.start([sys.executable, "-c", stubborn], tmp_path / "log", None)
    wait_for(ready, pid)
    assert processes.stop(pid, timeout=1) is True
    assert not processes.alive(pid)


def test_a_finished_process_is_not_alive_and_its_log_is_kept(tmp_path):
    log = tmp_path / "out.log"
    pid = processes.start([sys.executable, "-c", "print('hello from the log')"], log, None)
    psutil.Process(pid).wait(timeout=30)  # reaps it: our child
    assert not processes.alive(pid) and not processes.alive(None)
    assert processes.log_tail(log) == "hello from the log"
    assert processes.log_tail(tmp_path / "missing.log") == "(no log)"


def test_run_waits_for_the_exit_code_and_kills_the_group_past_the_timeout(tmp_path):
    log = tmp_path / "run.log"
    assert processes.run([sys.executable, "-c", "print('done'); raise SystemExit(3)"], log, None, timeout=60) == 3
    assert processes.log_tail(log) == "done"

    ready = tmp_path / "child.pid"
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run([sys.executable, "-c", PARENT, str(ready)], log, None, timeout=10)
    child = int(ready.read_text())  # the command had started its child before the timeout
    deadline = time.monotonic() + 10  # SIGKILLed with the group; init reaps it
    while processes.alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes.alive(child)
