"""Issue 8, fault 7: ``make migrate`` (``dagster instance migrate``) on an existing instance.

The instance is made the way ``make dev`` makes it (``cli env``: instance storage in the warehouse
Postgres), given run history, then set back one schema revision with Dagster's own alembic
downgrade, as if an older Dagster had created it. ``make migrate`` must bring it to the current
schema with every run and event intact, and the instance must keep working afterwards.
"""

import shlex
import subprocess
import sys
from pathlib import Path

import dagster as dg
import dagster_postgres.run_storage.run_storage as pg_run_storage
import pytest
from dagster._core.storage.sql import run_alembic_downgrade
from dagster_postgres.utils import pg_alembic_config

from tests.helpers import platform_env
from tests.reliability.live_env import fresh_database

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
RUNS = """
import sys, dagster as dg
@dg.asset
def heartbeat():
    if sys.argv[1] == "fail":
        raise RuntimeError("a failed run belongs in the history too")
    return 1
print(dg.materialize([heartbeat], instance=dg.DagsterInstance.get(), raise_on_error=False).run_id)
"""


def make_dev_env(env: dict) -> dict:
    """The exports ``make dev`` evaluates (``python -m pipeline_platform.cli env``), applied to ``env``."""
    out = subprocess.run([sys.executable, "-m", "pipeline_platform.cli", "env"], env=env, cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    exports = dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in out.splitlines())
    return {**env, **exports}


def history(env: dict) -> dict:
    """Every run with its status and number of events, read by a fresh process's instance."""
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        return {r.run_id: (r.status.value, len(instance.all_logs(r.run_id))) for r in instance.get_runs()}
    finally:
        instance.dispose()


def revision(env: dict) -> tuple:
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        return instance.run_storage.alembic_version()
    finally:
        instance.dispose()


def run(env: dict, outcome: str) -> str:
    done = subprocess.run([sys.executable, "-c", RUNS, outcome], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()[-1]


def test_make_migrate_upgrades_an_existing_instance(database_url, tmp_path, monkeypatch, fault_tally):
    env = make_dev_env(platform_env(PIPELINE_DATABASE_URL=fresh_database(database_url, "pp_migrate"),
                                    PIPELINE_STATE_DIR=tmp_path / "state"))
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", env["DAGSTER_POSTGRES_URL"])  # for this process's reads
    first = {run(env, "ok"), run(env, "fail")}
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    try:
        with instance.run_storage.connect() as conn:  # as an older Dagster left it
            run_alembic_downgrade(pg_alembic_config(pg_run_storage.__file__), conn, "-1")
    finally:
        instance.dispose()
    old, before = revision(env), history(env)
    assert old[0] != old[1], "the instance was not set back a revision"

    done = subprocess.run(["make", "-o", ".venv/.installed", "migrate"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    new, after = revision(env), history(env)
    third = run(env, "ok")  # the migrated instance still records runs
    latest = history(env)
    fault_tally.record("dagster instance migrate on an existing instance", lost=len(set(before) - set(after)),
                       partial=sum(1 for k, v in before.items() if after.get(k) != v))
    assert set(before) == first and after == before
    assert {status for status, _ in before.values()} == {"SUCCESS", "FAILURE"}
    assert new[0] == new[1] == old[1], f"schema {old} -> {new}"
    assert set(latest) == first | {third} and latest[third][0] == "SUCCESS"
