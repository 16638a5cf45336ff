"""The translator as pure functions over manifest nodes: no dbt, no database.

It decides keys, groups, owners, tags and code versions; each rule is checked on the real prepared
manifest and on small hand-written nodes, so a regression names the rule it broke.
"""

from __future__ import annotations

import json

import dagster as dg
import pytest

from pipeline_platform.dbt.project import manifest_path
from pipeline_platform.dbt.translator import PlatformDbtTranslator

T = PlatformDbtTranslator()


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(manifest_path().read_text())


def model(name: str, folder: str = "marts", **extra) -> dict:
    config = {"schema": folder, "materialized": "table", "meta": extra.pop("meta", {})}
    return {"resource_type": "model", "name": name, "fqn": ["pipeline_platform", folder, name],
            "config": config, "tags": extra.pop("tags", []), "checksum": {"name": "sha256", "checksum": "abc"}, **extra}


def test_sources_are_the_raw_assets_and_models_are_keyed_by_schema(manifest):
    for source in manifest["sources"].values():
        assert T.get_asset_key(source) == dg.AssetKey(["raw", source["name"]])
    assert T.get_asset_key(manifest["nodes"]["model.pipeline_platform.fct_orders"]) == dg.AssetKey(["marts", "fct_orders"])
    assert T.get_asset_key(model("stg_x", "staging")) == dg.AssetKey(["staging", "stg_x"])


def test_groups_follow_the_folder():
    assert T.get_group_name(model("fct", "marts")) == "marts"
    assert T.get_group_name(model("stg", "staging")) == "staging"
    assert T.get_group_name({"fqn": ["pipeline_platform", "top_level"]}) == "dbt"


def test_owners_and_tags_come_from_meta():
    node = model("m", meta={"owner": "team@example.com", "tags": {"tier": "gold", "bad key!": "x"}}, tags=["pii"])
    assert T.get_owners(node) == ["team@example.com"]
    assert T.get_tags(node) == {"pii": "", "tier": "gold", "materialized": "table"}
    node["config"]["materialized"] = "materialized_view"
    assert T.get_tags(node)["materialized"] == "materialized-view"


def test_code_version_is_the_sql_checksum(manifest):
    node = manifest["nodes"]["model.pipeline_platform.fct_orders"]
    assert T.get_code_version(node) == node["checksum"]["checksum"]
    assert T.get_code_version(model("m")) == "abc"


def source(name: str, schema: str = "raw", identifier: str | None = None, **meta) -> dict:
    return {"resource_type": "source", "name": name, "source_name": "s", "schema": schema,
            "identifier": identifier or name, "config": {"meta": meta}}


def test_a_source_is_keyed_by_the_relation_it_reads_like_the_loader_that_writes_it():
    assert T.get_asset_key(source("crew", "intake", "technicians")) == dg.AssetKey(["intake", "technicians"])
    # two sources with one table name in two schemas no longer collide
    assert T.get_asset_key(source("orders", "shop")) != T.get_asset_key(source("orders", "legacy"))
    assert T.get_asset_key(source("x", dagster={"asset_key": ["elsewhere", "x"]})) == dg.AssetKey(["elsewhere", "x"])


def test_only_incremental_models_get_the_daily_partitions():
    daily = dg.DailyPartitionsDefinition(start_date="2026-09-01")
    translator = PlatformDbtTranslator(daily)
    incremental = model("fct")
    incremental["config"]["materialized"] = "incremental"
    assert translator.get_partitions_def(incremental) == daily
    assert translator.get_partitions_def(model("dim")) is None
    assert PlatformDbtTranslator(None).get_partitions_def(incremental) is None


def test_a_source_no_loader_writes_is_an_external_asset_saying_so(manifest):
    from pipeline_platform.dbt.definitions import unloaded_sources

    produced = {T.get_asset_key(s) for s in manifest["sources"].values()} - {dg.AssetKey(["raw", "products"])}
    (spec,) = unloaded_sources(manifest, produced)
    assert spec.key == dg.AssetKey(["raw", "products"]) and "no loader" in spec.description
    assert unloaded_sources(manifest, produced | {spec.key}) == []
