"""Where a team's own project lives: its sources file, its dbt project and its partitions.

Everything project-specific is a file the team owns or one of these variables, read only when a
function here is called (when the code location is built, a run starts or a command runs), never at
import, so the location loads with nothing set and switching projects needs no edit under
``pipeline_platform/``. Relative paths are taken from the current directory (the checkout for
``make``); the defaults are the demo's files in this repository.

| variable | default | meaning |
|---|---|---|
| ``PIPELINE_SOURCES_FILE`` | ``pipeline_platform/ingestion/sources.yaml`` | the raw sources |
| ``PIPELINE_DBT_PROJECT_DIR`` | ``dbt_project/`` of the checkout | the dbt project |
| ``PIPELINE_DBT_SCHEMA`` | ``analytics`` | target schema for models without a custom schema |
| ``PIPELINE_PARTITION_START`` | ``partitions.start`` of the sources file | first daily partition |
| ``PIPELINE_PARTITION_TIMEZONE`` | ``partitions.timezone``, else ``UTC`` | timezone of a day |
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

SOURCES_FILE_ENV = "PIPELINE_SOURCES_FILE"
DBT_PROJECT_DIR_ENV = "PIPELINE_DBT_PROJECT_DIR"
DBT_SCHEMA_ENV = "PIPELINE_DBT_SCHEMA"
PARTITION_START_ENV = "PIPELINE_PARTITION_START"
PARTITION_TIMEZONE_ENV = "PIPELINE_PARTITION_TIMEZONE"
CHECKOUT = Path(__file__).resolve().parents[1]


def _path(env: str) -> Path | None:
    value = os.environ.get(env)
    return Path(value).expanduser().resolve() if value else None


def sources_file() -> Path:
    return _path(SOURCES_FILE_ENV) or Path(str(resources.files("pipeline_platform.ingestion") / "sources.yaml"))


def dbt_project_dir() -> Path | None:
    """The configured dbt project, else the checkout's ``dbt_project/`` (None in a wheel without one)."""
    configured = _path(DBT_PROJECT_DIR_ENV)
    if configured:
        return configured
    default = CHECKOUT / "dbt_project"
    return default if default.exists() else None


def partition_start(declared: str | None) -> str | None:
    """The first day of the daily partitions: the variable, else what the sources file declares."""
    return os.environ.get(PARTITION_START_ENV) or declared


def partition_timezone(declared: str | None) -> str:
    return os.environ.get(PARTITION_TIMEZONE_ENV) or declared or "UTC"
