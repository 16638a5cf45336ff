"""Fixtures for running the dbt assets through Dagster against the session's embedded Postgres.

Raw tables are seeded with the hand-built rows of ``tests/dbt_project`` (known answers), so these
tests check the Dagster side (partitions to vars, one build per run, checks, failures, retries,
metadata) and not the loaders. dagster-dbt writes one target folder per invocation; they go to a
temp folder (``DBT_TARGET_PATH``) so a run's dbt invocations can be counted from its artifacts.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pytest

from pipeline_platform.dashboard import local
from pipeline_platform.dbt import docs_server
from pipeline_platform.dbt.project import dbt_project
from tests.helpers import free_port

from . import job
from .story import run_story


def set_env(values: dict[str, str]):
    """Set variables and return a function that restores the previous values."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)

    def restore():
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    return restore


def copy_project(dest: Path) -> Path:
    """A copy of dbt_project/ with its prepared manifest, for runs that edit models."""
    source = dbt_project().project_dir
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("target", "logs"))
    (dest / "target").mkdir()
    shutil.copy(source / "target" / "manifest.json", dest / "target" / "manifest.json")
    return dest


STALE_INVOCATIONS = 60  # folders of invocations two days old, which the story's dbt steps prune


@pytest.fixture(scope="session")
def dbt_targets(tmp_path_factory):
    targets = tmp_path_factory.mktemp("dbt-targets")
    two_days_ago = time.time() - 2 * 24 * 3600
    for i in range(STALE_INVOCATIONS):
        folder = targets / f"stale_op-{i:07x}-{i:07x}"
        (folder / "compiled").mkdir(parents=True)
        (folder / "manifest.json").write_text("{}")
        os.utime(folder, (two_days_ago - i, two_days_ago - i))
    return targets


@pytest.fixture(scope="session")
def story_instance(tmp_path_factory):
    with dg.instance_for_test(temp_dir=str(tmp_path_factory.mktemp("dagster-home"))) as instance:
        yield instance


@pytest.fixture(scope="session")
def story(database_url, dbt_targets, story_instance, tmp_path_factory):
    copy = copy_project(tmp_path_factory.mktemp("copy") / "dbt_project")
    restore = set_env({"DBT_TARGET_PATH": str(dbt_targets), "DO_NOT_TRACK": "1", job.PROJECT_ENV: str(copy),
                       "PIPELINE_DASHBOARD_PORT": str(free_port()),
                       docs_server.DOCS_URL_ENV: f"http://127.0.0.1:{free_port()}"})
    try:
        yield run_story(database_url, story_instance, copy)
    finally:
        docs_server.stop_recorded()
        restore()
        local.stop_recorded()


def invocations(targets: Path, run_id: str, op: str = "warehouse_models") -> list[dict]:
    """run_results.json of every dbt invocation the run made (one folder per invocation)."""
    return [json.loads(p.read_text()) for p in sorted(targets.glob(f"{op}-{run_id[:7]}-*/run_results.json"))]


def materialized(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    return {e.dagster_event.asset_key.to_user_string() for e in events}


def check_results(instance: dg.DagsterInstance, run_id: str) -> dict[str, bool]:
    events = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    return {e.dagster_event.event_specific_data.check_name: e.dagster_event.event_specific_data.passed for e in events}
