"""The platform's batched metadata after ``dbt build`` equals what dagster-dbt's own fetchers attach.

``cli_resource.events_with_metadata`` replaces dagster-dbt's per-model adapter queries (row counts,
column schemas, column lineage) with two warehouse queries; this builds the demo project once over
the hand-built raw rows (re-seeded from scratch, as the story does before its runs) and compares both
on the same events, event by event and key by key.
"""

from __future__ import annotations

from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator

from pipeline_platform.dbt.cli_resource import VENV_DBT, events_with_metadata
from pipeline_platform.dbt.invocation_env import dbt_environment
from pipeline_platform.dbt.project import dbt_project, manifest_path
from pipeline_platform.dbt.window import window_env
from pipeline_platform.resources.warehouse import dbt_env
from tests.dbt_project.raw_data import seed


def test_batched_metadata_equals_dagster_dbts_own_fetchers(database_url, tmp_path, monkeypatch):
    url = database_url
    seed(url)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    project = dbt_project()
    stock = DbtCliResource(project_dir=project, dbt_executable=str(VENV_DBT))  # builds dbt's adapter
    with dbt_environment({**dbt_env(url), **window_env()}):
        invocation = stock.cli(["build"], manifest=manifest_path(project), raise_on_error=True)
        events = list(invocation.stream())
        theirs = list(DbtEventIterator(iter(events), invocation).fetch_row_counts().fetch_column_metadata())
    ours = events_with_metadata(events, invocation, url)

    assert [type(e) for e in ours] == [type(e) for e in theirs]
    assert sum("dagster/row_count" in e.metadata for e in ours) >= 3  # the tables were counted
    assert sum("dagster/column_lineage" in e.metadata for e in ours) >= 3
    for mine, stock_event in zip(ours, theirs, strict=True):
        assert dict(mine.metadata) == dict(stock_event.metadata), mine.metadata["unique_id"]
