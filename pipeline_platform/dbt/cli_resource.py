"""The dbt CLI resource, minus a ``dbt --version`` subprocess per step.

dagster-dbt asks the executable for its version on every new resource instance, i.e. once per dbt
step, and that child process spends ~3 s importing dbt just to print a number. The executable here
is always the one installed next to this interpreter (run workers may not have the venv's bin on
PATH), so its version is the installed dbt-core's, read from package metadata instead.
"""

import sys
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from pipeline_platform.dbt.project import dbt_project

VENV_DBT = Path(sys.executable).with_name("dbt")  # run workers may not have the venv's bin on PATH


class PlatformDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == VENV_DBT:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version  # a dbt elsewhere (e.g. configured by hand): ask it


def dbt_resource(project: DbtProject = dbt_project) -> DbtCliResource:
    """The dbt CLI next to this interpreter."""
    return PlatformDbtCliResource(project_dir=project, dbt_executable=str(VENV_DBT))
