"""Under ``dagster dev`` the code location re-parses dbt only when a dbt file changed.

A reload with a fresh manifest must start no ``dbt parse`` (it costs seconds per reload and minutes
on a big project), while an edited model must still show up without a manual ``make manifest``.
The manifest's mtime is the witness: ``dbt parse`` always rewrites it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipeline_platform.dbt.project import PROFILE, PROFILES_DIR, dbt_project, manifest_is_stale, prepare_if_stale

PAST = 1_700_000_000  # 2023-11-14: older than anything the test writes


def _project(tmp_path: Path) -> DbtProject:
    root, source = tmp_path / "dbt_project", dbt_project().project_dir
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"))
    (root / "target").mkdir()
    shutil.copy(source / "target" / "manifest.json", root / "target" / "manifest.json")
    for path in root.rglob("*"):
        os.utime(path, (PAST, PAST))
    os.utime(root / "target" / "manifest.json", (PAST + 10, PAST + 10))  # prepared after every source
    return DbtProject(project_dir=root, profiles_dir=PROFILES_DIR, profile=PROFILE)


def test_dev_reload_parses_only_after_a_dbt_file_changed(tmp_path, monkeypatch):
    project = _project(tmp_path)
    manifest = Path(project.manifest_path)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    os.utime(project.project_dir / "models" / "staging" / "stg_orders.sql", (PAST + 20, PAST + 20))
    monkeypatch.delenv("DAGSTER_IS_DEV_CLI", raising=False)
    assert manifest_is_stale(project) and not prepare_if_stale(project)  # outside dev: never dbt at load
    assert manifest.stat().st_mtime == PAST + 10

    monkeypatch.setenv("DAGSTER_IS_DEV_CLI", "1")
    assert prepare_if_stale(project)  # a model is newer than the manifest: dbt parse ran
    parsed = manifest.stat().st_mtime_ns
    assert manifest.stat().st_mtime > PAST + 20 and "model.pipeline_platform.stg_orders" in manifest.read_text()

    (project.project_dir / "profiles.yml").write_text("# a team's own profiles\n")  # connections do not shape it
    (project.project_dir / ".user.yml").write_text("id: someone\n")  # nor does dbt's own user file
    assert not manifest_is_stale(project) and not prepare_if_stale(project)
    assert manifest.stat().st_mtime_ns == parsed  # fresh manifest: no dbt subprocess, nothing rewritten


def test_the_manifest_is_parsed_once_per_version_and_a_rewrite_is_read_again(tmp_path):
    """Its readers (dbt sources, Streamlit exposures) share one parse; ``make manifest`` rewriting the
    file (a new mtime or size) is seen by the next read, never a stale copy."""
    from pipeline_platform.dbt.project import read_manifest

    path = tmp_path / "manifest.json"
    path.write_text('{"sources": {}, "exposures": {"exposure.p.a": {"name": "a"}}}')
    first = read_manifest(path)
    assert read_manifest(path) is first and first["exposures"]["exposure.p.a"]["name"] == "a"
    path.write_text('{"sources": {}, "exposures": {"exposure.p.b": {"name": "bb"}}}')
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert list(read_manifest(path)["exposures"]) == ["exposure.p.b"]
