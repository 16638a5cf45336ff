"""The platform's batched metadata after ``dbt build`` equals what dagster-dbt's own fetchers attach.

``cli_resource.events_with_metadata`` replaces dagster-dbt's per-model adapter queries (row counts,
column schemas, column lineage) with two warehouse queries; this builds the demo project once over
the hand-built raw rows (re-seeded from scratch, as the story does before its runs) and compares both
on the same events, event by event and key by key.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import dagster as dg
import psycopg
from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_event_iterator import DbtEventIterator

from pipeline_platform.dbt.cli_resource import VENV_DBT, dbt_resource, events_with_metadata
from pipeline_platform.dbt.invocation_env import dbt_environment
from pipeline_platform.dbt.project import dbt_project, manifest_path, read_manifest
from pipeline_platform.dbt.window import window_env
from pipeline_platform.resources.warehouse import dbt_env, libpq_url
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


def test_column_lineage_is_found_in_a_warehouse_named_unlike_the_manifests_database(database_url, tmp_path,
                                                                                   monkeypatch):
    """The manifest is prepared once (``make manifest``, an image's build) against whatever database name
    the profile had then; the warehouse a deployment points ``PIPELINE_DATABASE_URL`` at may be named
    otherwise. dbt compiles each model's SQL with the warehouse's name, so lineage must match parents
    by the warehouse's name too, or every column of every model loses its upstream columns."""
    name = "lineage_elsewhere"
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    url = urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
    seed(url)
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path))
    project = dbt_project()
    prepared = read_manifest(manifest_path(project))
    assert {n["database"] for n in prepared["nodes"].values() if n["resource_type"] == "model"} == {"warehouse"}
    with dbt_environment({**dbt_env(url), **window_env()}):
        invocation = dbt_resource(project).cli(["build"], manifest=manifest_path(project), raise_on_error=True)
        events = list(invocation.stream())
    compiled = next(tmp_path.rglob("fct_orders.sql")).read_text()
    assert f'"{name}"."staging"' in compiled  # dbt did build in the other database

    ours = events_with_metadata(events, invocation, url)

    meta = {e.metadata["unique_id"].text: e.metadata for e in ours if "dagster/column_lineage" in e.metadata}
    lineage = meta["model.pipeline_platform.fct_orders"]["dagster/column_lineage"].value.deps_by_column
    assert dg.AssetKey(["staging", "stg_orders"]) in {d.asset_key for d in lineage["order_id"]}
    for unique_id, metadata in meta.items():  # every model reads a parent, so some column comes from one
        assert any(metadata["dagster/column_lineage"].value.deps_by_column.values()), unique_id
    assert {n["database"] for n in invocation.manifest["nodes"].values() if n["resource_type"] == "model"} == {
        "warehouse"}  # the run's own manifest is left as prepared
