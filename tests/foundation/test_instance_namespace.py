"""Dagster's run history in its own schema: safe from dbt models and analysts, kept across the upgrade.

Each test gets its own database on the session's server, so ``public`` holds only what the test puts
there. Runs are written by separate processes through the repo's ``dagster.yaml``, as ``make dev``
and plain ``dagster dev`` write them, and read back by a fresh instance.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import psycopg

from pipeline_platform import cli
from pipeline_platform.dbt.project import dbt_project, profile_args
from pipeline_platform.resources import embedded, instance_storage, warehouse
from tests.reliability.live_env import fresh_database
from tests.reliability.test_instance_migrate import history, run

REPO = Path(__file__).resolve().parents[2]
TEAM_MODEL = "select 1 as run_id, 'a team model, not Dagster''s' as note\n"


def tables(url: str, schema: str) -> set[str]:
    with psycopg.connect(warehouse.libpq_url(url)) as conn:
        return instance_storage.tables_in(conn, schema)


def platform_instance(monkeypatch, url: str, state: Path) -> dict:
    """The environment ``make dev`` exports for warehouse ``url`` (nothing Dagster-specific set before)."""
    monkeypatch.delenv(instance_storage.INSTANCE_URL_ENV, raising=False)
    monkeypatch.setenv(warehouse.DATABASE_URL_ENV, url)
    monkeypatch.setenv(embedded.STATE_DIR_ENV, str(state))
    env = cli.environment()
    for key, value in env.items():
        monkeypatch.setenv(key, value)  # this process's reads (``history``) use the same instance
    return dict(os.environ)


def test_an_instance_in_public_keeps_its_runs_after_the_upgrade(database_url, tmp_path, monkeypatch):
    url = fresh_database(database_url, "pp_namespace_move")
    home = tmp_path / "old_home"
    home.mkdir()
    (home / "dagster.yaml").symlink_to(REPO / "dagster.yaml")
    # Before the namespace, `make dev` exported the warehouse URL itself as the instance URL.
    old = {**os.environ, "DAGSTER_HOME": str(home), instance_storage.INSTANCE_URL_ENV: warehouse.with_driver(url, "psycopg2")}
    first = {run(old, "ok"), run(old, "fail")}
    monkeypatch.setenv(instance_storage.INSTANCE_URL_ENV, old[instance_storage.INSTANCE_URL_ENV])
    before = history(old)
    assert set(before) == first and {"runs", "event_logs"} <= tables(url, "public")

    env = platform_instance(monkeypatch, url, tmp_path / "state")  # the first `make dev` after the upgrade
    assert "search_path=dagster" in unquote(env[instance_storage.INSTANCE_URL_ENV])
    assert history(env) == before, "run history lost in the move"
    # Every table the old instance had moved: instance_storage.dagster_tables() reads Dagster's
    # internal table metadata; if an upgrade moves it, this names the tables left behind.
    assert tables(url, "public") == set(), "Dagster tables not in instance_storage.dagster_tables()"
    assert {"runs", "event_logs", "alembic_version"} <= tables(url, instance_storage.INSTANCE_SCHEMA)
    again = run(env, "ok")  # the moved instance keeps working: ids and sequences came along
    after = history(env)
    assert set(after) == first | {again} and after[again][0] == "SUCCESS"
    # A second resolve (every later start) finds the namespace in place and moves nothing.
    with psycopg.connect(warehouse.libpq_url(url)) as conn:
        assert instance_storage.move_old_instance(conn) == []


def test_a_dbt_model_named_runs_builds_and_the_run_history_stays(database_url, tmp_path, monkeypatch):
    url = fresh_database(database_url, "pp_namespace_runs")
    env = platform_instance(monkeypatch, url, tmp_path / "state")
    run_id = run(env, "ok")
    before = history(env)
    assert before[run_id][0] == "SUCCESS"

    project = tmp_path / "dbt_project"
    shutil.copytree(dbt_project().project_dir, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "models" / "runs.sql").write_text(TEAM_MODEL)  # lands in the target schema, public here
    dbt = [str(Path(sys.executable).parent / "dbt"), "build", "--select", "runs", "--project-dir", str(project),
           *profile_args(), "--target-path", str(tmp_path / "target")]
    built = subprocess.run(dbt, env={**env, **warehouse.dbt_env(url), "DO_NOT_TRACK": "1",
                                     "PIPELINE_DBT_SCHEMA": "public"},  # the worst case: a team building into public
                           cwd=project, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-3000:]
    with psycopg.connect(warehouse.libpq_url(url)) as conn:
        assert conn.execute("SELECT run_id, note FROM public.runs").fetchall() == [(1, "a team model, not Dagster's")]
    assert history(env) == before

    # An analyst's `drop schema public cascade` takes the team's tables, not the run history.
    with psycopg.connect(warehouse.libpq_url(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    assert history(env) == before
