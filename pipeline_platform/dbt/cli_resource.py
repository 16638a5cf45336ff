"""The dbt CLI resource, minus the seconds dagster-dbt spends before dbt even starts.

dagster-dbt asks the executable for its version on every new resource instance, i.e. once per dbt
step, and that child process spends ~3 s importing dbt just to print a number. The executable here
is always the one installed next to this interpreter (run workers may not have the venv's bin on
PATH), so its version is the installed dbt-core's, read from package metadata instead. It also
builds a dbt adapter (parsing every dbt macro: 1-3 s) before starting dbt, though only the row
count and column metadata fetched after the build use it; ``adapter_while_running`` builds it on a
thread while dbt runs, and commands that fetch nothing (``docs generate``) never build it.

dagster-dbt has no public hook for either, nor for fetching row counts over events already read
(``events_with_metadata``), so this is the one module that uses dagster-dbt internals: ``WRITTEN_FOR``
pins the release series it was checked against and ``RELIED_ON`` names each internal;
tests/foundation/test_private_apis.py fails naming what changed when an upgrade breaks one.
"""

import logging
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator
from packaging import version

from pipeline_platform.dbt.project import dbt_project

VENV_DBT = Path(sys.executable).with_name("dbt")  # run workers may not have the venv's bin on PATH

# Checked against dagster-dbt 0.29.27; pyproject.toml keeps this series.
WRITTEN_FOR = {"dagster-dbt": "0.29"}
RELIED_ON = {  # dotted name -> parameter names relied on (None: only that it exists)
    "dagster_dbt.DbtCliResource._cli_version": None,
    "dagster_dbt.DbtCliResource._initialize_dbt_core_adapter": ("args",),
    "dagster_dbt.DbtCliInvocation.adapter": None,
    "dagster_dbt.core.dbt_event_iterator.DbtEventIterator.__init__": ("events", "dbt_cli_invocation"),
    "dagster_dbt.core.dbt_event_iterator.DbtEventIterator.fetch_row_counts": (),
    "dagster_dbt.core.dbt_event_iterator.DbtEventIterator.fetch_column_metadata": ("with_column_lineage",),
}
# dagster-dbt code that must still use what is overridden here, or the override is silently skipped.
CALLED_BY = (("dagster_dbt.DbtCliResource.cli", "_initialize_dbt_core_adapter"),
             ("dagster_dbt.DbtCliResource.cli", "_cli_version"))


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


def events_with_metadata(events: Iterable, invocation: DbtCliInvocation):
    """dbt's Dagster events, read to the end beforehand, with row counts and column metadata fetched."""
    return DbtEventIterator(iter(events), invocation).fetch_row_counts().fetch_column_metadata()


def dbt_resource(project: DbtProject | None = None) -> DbtCliResource:
    """The dbt CLI next to this interpreter, with the platform's profile (``project.PROFILE``)."""
    return PlatformDbtCliResource(project_dir=project or dbt_project(), dbt_executable=str(VENV_DBT))

