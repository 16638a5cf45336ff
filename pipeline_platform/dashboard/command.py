"""Command mode: the dashboard runs elsewhere (a container, a service); a user command restarts it.

The platform does not own that process, so it only runs the command (shlex-split, never through a
shell, so a setting cannot inject shell syntax), waits for it, and then checks the given URL just
like a local deploy: health first, then the data version. The command's output goes to a file, not
a pipe, so a command that leaves a detached server behind cannot block the deploy. With several
exposures the command runs once per exposure; ``{exposure}`` and ``{port}`` in it (and in the URL)
name the one being deployed, and so does ``PIPELINE_DASHBOARD_EXPOSURE`` in its environment.
"""

import os
import shlex
import subprocess
from pathlib import Path

from pipeline_platform import processes
from pipeline_platform.dashboard import server, verify
from pipeline_platform.dashboard.settings import Deployment
from pipeline_platform.resources.embedded import state_dir
from pipeline_platform.resources.warehouse import DATABASE_URL_ENV


class CommandDeployError(RuntimeError):
    def __init__(self, message: str, log_file: Path):
        super().__init__(message)
        self.log_file = log_file


def run_command(command: str, log_file: Path, env: dict[str, str], timeout: float) -> None:
    args = shlex.split(command)
    try:
        code = processes.run(args, log_file, env, timeout)
    except OSError as exc:
        raise CommandDeployError(f"cannot run dashboard command {args[:1]}: {exc}", log_file) from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandDeployError(f"dashboard command did not finish within {timeout:g}s: {args}", log_file) from exc
    if code != 0:
        raise CommandDeployError(f"dashboard command exited with {code}: {args}", log_file)


def deploy(dep: Deployment, database_url: str) -> dict:
    """Run the restart command, then prove the URL is healthy and serves the current data."""
    log_file = state_dir() / "dashboard" / dep.name / "command.log"
    env = {**os.environ, DATABASE_URL_ENV: database_url, "PIPELINE_DASHBOARD_EXPOSURE": dep.name}
    run_command(dep.command, log_file, env, dep.timeout)
    if not server.wait_healthy(dep.url, dep.timeout):
        raise CommandDeployError(f"dashboard at {dep.url} not healthy within {dep.timeout:g}s after the command", log_file)
    try:
        version = verify.wait_for_data_version(dep.url, database_url, dep.relations, dep.in_place, dep.timeout)
    except verify.DeployCheckError as exc:
        raise CommandDeployError(str(exc), log_file) from exc
    return {"data_version": version}
