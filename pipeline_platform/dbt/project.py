"""Where the dbt project and its manifest live, for a source checkout and for a packaged wheel.

The project is the team's own (``PIPELINE_DBT_PROJECT_DIR``, default ``dbt_project/``), taken as it
is: whatever ``profile:`` it declares, every dbt command runs with the platform's profile
(``profiles/profiles.yml``, ``--profile pipeline_platform``), which connects to the one warehouse.
The project is resolved when the definitions are built, not at import.

The manifest is prepared ahead of time (``make manifest``, ``make dev``, ``make test``,
``make package``). Under ``dagster dev`` the location re-parses only when a dbt source file is newer
than the manifest (or it is missing): an edited model still shows up on reload, but a load with a
fresh manifest starts no ``dbt parse`` (seconds for every reload, minutes for a big project).
Outside ``dagster dev`` a code location never shells out to dbt while loading.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import orjson
from dagster_dbt import DbtProject

from pipeline_platform import settings

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
PROFILE = "pipeline_platform"  # the profile name in PROFILES_DIR; the project's own name is ignored
PACKAGED_DIR = Path(__file__).resolve().parent / "dbt_project_packaged"
MANIFEST_FIX = "run `make manifest` (or `python -m pipeline_platform.dbt.prepare --package`)"
SOURCE_SUFFIXES = (".sql", ".yml", ".yaml")
NOT_SOURCES = {"profiles.yml"}  # connection settings (and dbt's own .user.yml) never change the manifest
SKIP_DIRS = {"logs", "dbt_packages", "dbt_modules"}


def source_files(project: DbtProject):
    """dbt files that shape the manifest: models, macros, tests, yml (outputs and profiles excluded)."""
    root = Path(project.project_dir)
    skip = {root / name for name in SKIP_DIRS | {Path(project.target_path).parts[0]}}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and Path(folder, d) not in skip]
        for name in files:
            if name.endswith(SOURCE_SUFFIXES) and name not in NOT_SOURCES and not name.startswith("."):
                yield Path(folder) / name


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any dbt source file."""
    manifest = Path(project.manifest_path)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(path.stat().st_mtime > built for path in source_files(project))


def prepare_if_stale(project: DbtProject) -> bool:
    """Under ``dagster dev`` only: ``dbt parse`` if the manifest is stale. Returns whether it parsed."""
    if not manifest_is_stale(project):
        return False
    project.prepare_if_dev()  # public: dbt deps (if any) + dbt parse under `dagster dev`, nothing otherwise
    return not manifest_is_stale(project)


def profile_args() -> list[str]:
    """What a hand-run (or test-run) dbt command needs to connect like the platform does."""
    return ["--profiles-dir", str(PROFILES_DIR), "--profile", PROFILE]


@functools.cache
def project_at(project_dir: Path) -> DbtProject:
    """The dbt project in ``project_dir``, run with the platform's profile; prepared under
    ``dagster dev`` when stale, once per process and folder."""
    project = DbtProject(
        project_dir=project_dir, packaged_project_dir=PACKAGED_DIR, profiles_dir=PROFILES_DIR, profile=PROFILE
    )
    prepare_if_stale(project)
    return project


def dbt_project() -> DbtProject:
    """The configured dbt project (``PIPELINE_DBT_PROJECT_DIR``; the packaged copy inside a wheel)."""
    return project_at(Path(settings.dbt_project_dir() or PACKAGED_DIR))


class MissingManifestError(RuntimeError):
    """The code location cannot build dbt assets without a prepared manifest."""


def manifest_path(project: DbtProject | None = None) -> Path:
    """The prepared manifest of ``project``; fails with the one-line fix when it is missing."""
    path = Path((project or dbt_project()).manifest_path)
    if not path.exists():
        raise MissingManifestError(f"dbt manifest not found at {path}: {MANIFEST_FIX}")
    return path


def read_manifest(path: Path) -> dict:
    """The parsed manifest at ``path``, shared by its readers (the dbt sources outside the loaders, the
    Streamlit exposures) and parsed once per file version: two ``json.loads`` of a 1,000-model
    manifest took 0.2 s of each code location load. Read-only for every caller."""
    stat = Path(path).stat()
    return _parsed_manifest(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _parsed_manifest(path: str, mtime_ns: int, size: int) -> dict:
    return orjson.loads(Path(path).read_bytes())


def invocation_root(project_dir) -> Path:
    """Where dagster-dbt puts each invocation's target folder and looks for the parse state it copies
    in: ``DBT_TARGET_PATH``, else ``target``, relative to the project."""
    root = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return root if root.is_absolute() else Path(project_dir) / root
