"""Where the dbt project and its manifest live, for a source checkout and for a packaged wheel.

The manifest is prepared ahead of time (``make manifest``, ``make dev``, ``make test``,
``make package``); ``prepare_if_dev`` re-parses only under ``dagster dev``, so a production code
location never shells out to ``dbt parse`` while loading.
"""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

SOURCE_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
PACKAGED_DIR = Path(__file__).resolve().parent / "dbt_project_packaged"
MANIFEST_FIX = "run `make manifest` (or `dagster-dbt project prepare-and-package --file pipeline_platform/dbt/project.py`)"

dbt_project = DbtProject(
    project_dir=SOURCE_DIR if SOURCE_DIR.exists() else PACKAGED_DIR,
    packaged_project_dir=PACKAGED_DIR,
    profiles_dir=SOURCE_DIR if SOURCE_DIR.exists() else PACKAGED_DIR,
)
dbt_project.prepare_if_dev()


class MissingManifestError(RuntimeError):
    """The code location cannot build dbt assets without a prepared manifest."""


def manifest_path(project: DbtProject = dbt_project) -> Path:
    """The prepared manifest of ``project``; fails with the one-line fix when it is missing."""
    path = Path(project.manifest_path)
    if not path.exists():
        raise MissingManifestError(f"dbt manifest not found at {path}: {MANIFEST_FIX}")
    return path
