"""A run's helper processes die with the run, so a killed run cannot keep writing to the warehouse.

Dagster's multiprocess executor runs each step in a child of the run worker, and the dbt step runs
``dbt`` as a child of its own. When the run worker is SIGKILLed (OOM killer, a hard stop, a node
drain), the code server marks the run failed within a second, but nothing stops those children:
the step would finish its COPY and record a materialization inside a failed run, dbt would go on
building the marts, and the re-execution would race both. So a warehouse step binds itself to its
run worker (a watchdog thread SIGKILLs the step once its parent process is gone) and every dbt
process gets a small sidecar that SIGKILLs it once the process that started it is gone. A killed
client never commits: Postgres rolls its open transaction back and the tables stay as they were.
Polling ``getppid`` (as Dagster's own ``watch_orphans`` script does) works on Linux and macOS alike.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

from pipeline_platform.workers import EXECUTOR_NAME

POLL_SECONDS = 0.2
_bound_to: int | None = None  # the parent pid this process watches, once bound

# Runs in a bare interpreter (-I -S): argv = parent pid, child pid. Exits when the child does.
_SIDECAR = f"""
import os, signal, sys, time
parent, child = int(sys.argv[1]), int(sys.argv[2])
while os.getppid() == parent:
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        sys.exit(0)
    time.sleep({POLL_SECONDS})
try:
    os.kill(child, signal.SIGKILL)
except ProcessLookupError:
    pass
"""


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGKILL)


def die_with_parent() -> None:
    """SIGKILL this process as soon as its parent is gone (idempotent)."""
    global _bound_to
    if _bound_to is None:
        _bound_to = os.getppid()
        threading.Thread(target=_watch, args=(_bound_to,), name="lifeline", daemon=True).start()


def runs_in_step_subprocess(context) -> bool:
    """True in a step process that the multiprocess executor started as a child of the run worker;
    False where steps run inside the run worker itself (in-process executor, ``materialize``,
    ``make run``) or the process is the run worker (``dagster api execute_run`` in a container)."""
    if multiprocessing.parent_process() is None:
        return False
    executor = context.job_def.executor_def.name
    # Dagster's default and the platform's (workers.py) run multiprocess unless configured; a Celery
    # worker runs steps in its own process, which has no multiprocessing parent (returned above).
    if executor in ("multi_or_in_process_executor", EXECUTOR_NAME):
        return "in_process" not in ((context.run.run_config.get("execution") or {}).get("config") or {})
    return executor == "multiprocess"


def bind_step(context) -> None:
    """Call first in a step that writes to the warehouse: it must not outlive its run worker."""
    if runs_in_step_subprocess(context):
        die_with_parent()


@contextlib.contextmanager
def dies_with_this_process(pid: int):
    """While the block runs, process ``pid`` (a child of ours) is SIGKILLed if this process dies."""
    sidecar = subprocess.Popen([sys.executable, "-I", "-S", "-c", _SIDECAR, str(os.getpid()), str(pid)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        sidecar.kill()
        sidecar.wait()
