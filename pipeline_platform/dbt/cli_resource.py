"""The dbt CLI resource, minus the seconds dagster-dbt spends before dbt even starts.

dagster-dbt asks the executable for its version on every new resource instance, i.e. once per dbt
step, and that child process spends ~3 s importing dbt just to print a number. The executable here
is always the one installed next to this interpreter (run workers may not have the venv's bin on
PATH), so its version is the installed dbt-core's, read from package metadata instead. It also
builds a dbt adapter (parsing every dbt macro: 1-3 s) before starting dbt, though only the row
count and column metadata fetched after the build use it; ``adapter_while_running`` builds it on a
thread while dbt runs, and commands that fetch nothing (``docs generate``) never build it.
"""

import logging
import sys
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from packaging import version

from pipeline_platform.dbt.project import dbt_project

VENV_DBT = Path(sys.executable).with_name("dbt")  # run workers may not have the venv's bin on PATH


class PlatformDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == VENV_DBT:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version  # a dbt elsewhere (e.g. configured by hand): ask it

    def _initialize_dbt_core_adapter(self, args):
        return None  # see adapter_while_running


def adapter_while_running(dbt: DbtCliResource, invocation: DbtCliInvocation, args: Sequence[str]) -> Callable[[], DbtCliInvocation]:
    """Start building ``invocation``'s adapter beside the running dbt; the returned call attaches it."""
    if invocation.adapter is not None or not isinstance(dbt, PlatformDbtCliResource):
        return lambda: invocation
    done: list = []

    def build():
        try:  # best effort, as in dagster-dbt: without an adapter the metadata is just left out
            done.append(DbtCliResource._initialize_dbt_core_adapter(dbt, args))
        except Exception:
            logging.getLogger(__name__).warning("Could not create the dbt adapter for metadata", exc_info=True)

    thread = threading.Thread(target=build, name="dbt-adapter", daemon=True)
    thread.start()

    def attach() -> DbtCliInvocation:
        thread.join()
        invocation.adapter = done[0] if done else None
        return invocation

    return attach


def dbt_resource(project: DbtProject | None = None) -> DbtCliResource:
    """The dbt CLI next to this interpreter, with the platform's profile (``project.PROFILE``)."""
    return PlatformDbtCliResource(project_dir=project or dbt_project(), dbt_executable=str(VENV_DBT))

