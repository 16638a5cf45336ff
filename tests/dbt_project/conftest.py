"""Run the real dbt CLI against the session's embedded Postgres, isolated from the developer's tree.

dbt runs as a subprocess (not in-process) so its global flags and loggers never leak into other
layers' tests in the same pytest session. Its target and log folders live in a temp dir, so
these tests never overwrite ``dbt_project/target/manifest.json`` that Dagster loads. Sessions
run with ``PGTZ`` far from UTC: any day boundary that silently follows the session time zone
instead of UTC shows up as a wrong day.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline_platform.dbt.project import profile_args
from pipeline_platform.resources.warehouse import dbt_env

PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


@dataclass
class DbtResult:
    returncode: int
    output: str
    statuses: dict[str, str]  # unique_id -> status from run_results.json
    invocation_id: str | None = None

    def failed(self) -> list[str]:
        return sorted(u for u, s in self.statuses.items() if s not in ("success", "pass", "no-op"))


def command(target: Path, *args: str) -> list[str]:
    """The venv's dbt on the real project, writing only into ``target``."""
    return [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(PROJECT),
            *profile_args(), "--target", "ci", "--target-path", str(target),
            "--log-path", str(target / "logs")]


def environment(database_url: str) -> dict[str, str]:
    return os.environ | dbt_env(database_url) | {"PGTZ": "Pacific/Kiritimati", "DO_NOT_TRACK": "1"}


@pytest.fixture(scope="session")
def dbt(database_url, tmp_path_factory):
    """``dbt(*args, vars=None)`` runs one dbt command on the session warehouse."""
    target = tmp_path_factory.mktemp("dbt-target")
    env = environment(database_url)

    def run(*args: str, vars: dict | None = None) -> DbtResult:
        cmd = command(target, *args)
        results_file = target / ("sources.json" if args[:2] == ("source", "freshness") else "run_results.json")
        if vars:
            cmd += ["--vars", json.dumps(vars)]
        results_file.unlink(missing_ok=True)  # never read a previous command's results
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        data = json.loads(results_file.read_text()) if results_file.exists() else {"results": []}
        statuses = {r["unique_id"]: r["status"] for r in data["results"]}
        invocation = data.get("metadata", {}).get("invocation_id")
        return DbtResult(proc.returncode, proc.stdout + proc.stderr, statuses, invocation)

    return run
