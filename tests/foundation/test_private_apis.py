"""Issue 20: Dagster internals are used in fenced modules only, each pinned and checked by a test.

``resources/event_batches.py`` writes through dagster-postgres's event-log internals and
``dbt/cli_resource.py`` through dagster-dbt's; neither has a public equivalent. A Dagster upgrade
may rename or reshape any of them, and the event log is the run history, so this fails loudly,
naming the module, the internal and what changed, instead of letting a run find out. The alerts'
fence (``automation/dagster_internals.py``) has its own test. Everything else in
``pipeline_platform`` must use public APIs only.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from pipeline_platform.dbt import cli_resource
from pipeline_platform.resources import event_batches

ROOT = Path(__file__).resolve().parents[2]
FENCED = {"pipeline_platform/resources/event_batches.py": event_batches, "pipeline_platform/dbt/cli_resource.py": cli_resource}
PRIVATE = r"dagster\._\|dagster_dbt\.core\|from dagster_dbt\..*import _"
FENCED_ELSEWHERE = {
    "pipeline_platform/automation/dagster_internals.py": "tests/automation/test_dagster_internals.py",
    "pipeline_platform/workers.py": "tests/deploy/test_workers.py",  # the Celery queue routing
    "pipeline_platform/resources/instance_storage.py": "tests/foundation/test_private_apis.py",  # below
}


def _resolve(dotted: str):
    """The object at ``dotted``: the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            found = inspect.getattr_static(found, name) if inspect.isclass(found) else getattr(found, name)
        return found
    raise ImportError(dotted)


def _problem(dotted: str, params) -> str | None:
    try:
        found = _resolve(dotted)
    except (ImportError, AttributeError) as exc:
        return f"{dotted} is gone ({type(exc).__name__}: {exc})"
    if params is None:
        return None
    function = getattr(found, "__func__", found)
    have = [p for p in inspect.signature(function).parameters if p != "self"]
    if list(params) != have[:len(params)]:
        return f"{dotted} takes {have}, written for {list(params)}"
    return None


@pytest.mark.parametrize("path", list(FENCED))
def test_fenced_module_matches_the_installed_dagster(path):
    module = FENCED[path]
    problems = [f"{name} {version(name)} installed, {path} was written for {series}.x"
                for name, series in module.WRITTEN_FOR.items()
                if not version(name).startswith(series + ".")]
    problems += [p for dotted, params in module.RELIED_ON.items() if (p := _problem(dotted, params))]
    for dotted, name in module.CALLED_BY:
        if name not in inspect.getsource(_resolve(dotted)):
            problems.append(f"{dotted} no longer uses {name}: the override in {path} would be skipped silently")
    assert not problems, (f"{path} relies on Dagster internals that changed; re-check it against the new "
                          "release (and update WRITTEN_FOR) or replace it:\n  " + "\n  ".join(problems))


def test_the_checker_names_what_changed():
    """The check above is only worth something if it catches a change: feed it ones that happened."""
    assert "is gone" in _problem("dagster_postgres.event_log.PostgresEventLogStorage._no_such_method", ())
    assert "written for ['conn', 'event_id']" in _problem(
        "dagster_postgres.event_log.PostgresEventLogStorage._store_asset_event", ("conn", "event_id"))


def test_private_imports_only_in_fenced_modules():
    """The acceptance grep of issue 20 lists exactly the fenced modules, each with its version test."""
    out = subprocess.run(["grep", "-rn", PRIVATE, "pipeline_platform", "--include=*.py"], cwd=ROOT,
                         capture_output=True, text=True, check=False).stdout
    hits = {line.split(":", 1)[0] for line in out.splitlines()}
    assert hits == set(FENCED) | set(FENCED_ELSEWHERE), out  # drop a module from the fence once it is public-only
    assert all((ROOT / test).exists() for test in FENCED_ELSEWHERE.values())


def test_instance_storage_still_lists_dagster_tables_from_its_schema_metadata():
    """The instance-namespace move takes Dagster's table list from its private schema metadata: if an
    upgrade renames or empties it, the move would silently leave tables (and run history) behind."""
    from pipeline_platform.resources.instance_storage import dagster_tables

    missing = {"runs", "event_logs", "instance_info", "jobs", "job_ticks", "alembic_version"} - dagster_tables()
    assert not missing, (f"dagster._core.storage.*.schema no longer lists {sorted(missing)}: re-check "
                         "pipeline_platform/resources/instance_storage.py:dagster_tables against the new Dagster")
