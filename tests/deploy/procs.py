"""Start, wait for and always stop the deployment's separate processes; talk GraphQL to the webserver.

Each server runs in its own session (process group) with its output in a log file, so a failure
message can show the log tail and teardown can end the server and every child it spawned (run
workers included) without touching anything the test did not start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable

import requests

from tests.deploy.build import REPO


def hermetic_env(venv: Path, home: Path, **extra: str) -> dict[str, str]:
    """Only what a container would have: the venv on PATH, a home, and the given settings."""
    env = {"PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "PYTHONUNBUFFERED": "1", **{k: str(v) for k, v in extra.items()}}
    leaks = {k: v for k, v in env.items() if str(REPO) in v}
    assert not leaks, f"environment points at the source tree: {leaks}"
    return env


def dirs(root: Path, *names: str) -> list[Path]:
    paths = [root / name for name in names]
    for path in paths:
        path.mkdir(parents=True, exist_ok=True)
    return paths


class Server:
    def __init__(self, name: str, cmd: list[str], env: dict, cwd: Path, logs: Path):
        self.name, self.log = name, logs / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def wait_for(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}"
            try:
                if ready():
                    return
            except AssertionError:  # a definite failure, e.g. a load error: no point in waiting
                raise
            except Exception:  # not listening yet
                pass
            time.sleep(0.5)
        raise AssertionError(f"{self.name}: {what} not within {timeout}s:\n{self.tail()}")

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL what is left after 20 s."""
        for sig, grace in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(grace)
                os.killpg(self.proc.pid, 0)  # the leader is gone; are group members still alive?
            except ProcessLookupError:
                return
            except subprocess.TimeoutExpired:
                pass


def graphql(url: str, query: str, **variables) -> dict:
    response = requests.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60)
    response.raise_for_status()
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]
