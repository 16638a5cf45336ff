"""The dbt asset definitions and their pure helpers, built from the prepared manifest (no dbt run).

``window_env`` turns a partition window into dbt's window variables, ``failed_nodes`` decides what fails a
run; the definitions carry kinds, partitions (only the incremental model is daily), single-run
backfills, blocking checks and the docs asset; a missing manifest fails with the one-line fix.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import dagster as dg
import pytest
from dagster_dbt import DbtProject

from pipeline_platform.dbt.assets import build_dbt_assets, failed_nodes
from pipeline_platform.dbt.window import window_env
from pipeline_platform.dbt.docs import build_dbt_docs_asset
from pipeline_platform.dbt.project import MANIFEST_FIX, MissingManifestError, manifest_path
from pipeline_platform.partitions import daily_partitions


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads(manifest_path().read_text())


@pytest.fixture(scope="module")
def models() -> dg.AssetsDefinition:
    return build_dbt_assets(partitions=daily_partitions())


def test_only_incremental_models_are_daily_with_single_run_backfills(models, manifest):
    specs = {s.key.to_user_string(): s for s in models.specs}
    names = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert {k.split("/")[-1] for k in specs} == names
    for spec in specs.values():
        assert spec.kinds == {"dbt", "postgres"}
        assert spec.owners == ["analytics@example.com"] and spec.code_version
        assert spec.automation_condition is not None
    daily = {k for k, spec in specs.items() if spec.partitions_def is not None}
    incremental = {f"marts/{name}" for name in ("fct_orders", "dim_customers", "customer_lifetime_value",
                                                 "mart_daily_revenue", "mart_nps_daily")}
    assert daily == incremental  # the incremental models; every other one: once per run
    assert all(specs[key].partitions_def == daily_partitions() for key in daily)
    assert models.backfill_policy == dg.BackfillPolicy.single_run()
    assert models.op.name == "warehouse_models"  # one op: one step, one dbt build per run


def test_without_daily_partitions_no_model_is_partitioned():
    plain = build_dbt_assets(partitions=None)
    assert all(spec.partitions_def is None for spec in plain.specs) and dg.AssetKey(["marts", "fct_orders"]) in plain.keys


def test_dbt_tests_are_checks_and_error_severity_blocks(models):
    checks = {(c.asset_key.to_user_string(), c.name): c for c in models.check_specs}
    guard = checks[("marts/mart_daily_revenue", "assert_revenue_never_negative")]
    assert guard.blocking
    assert ("marts/fct_orders", "unique_fct_orders_order_id") in checks
    assert all(c.blocking for c in checks.values())  # the project's tests are all severity error


def test_window_env_turns_the_partition_window_into_dbt_window_variables():
    # Unset, not absent: a run without a window must not inherit the previous run's in one process.
    assert window_env() == {"PIPELINE_DBT_MIN_DATE": "", "PIPELINE_DBT_MAX_DATE": ""}
    day = daily_partitions().time_window_for_partition_key("2026-09-02")
    assert window_env(day) == {"PIPELINE_DBT_MIN_DATE": "2026-09-02", "PIPELINE_DBT_MAX_DATE": "2026-09-03"}
    window = dg.TimeWindow(datetime(2026, 9, 1, tzinfo=timezone.utc), datetime(2026, 10, 1, tzinfo=timezone.utc))
    assert window_env(window) == {"PIPELINE_DBT_MIN_DATE": "2026-09-01", "PIPELINE_DBT_MAX_DATE": "2026-10-01"}


def test_every_unsuccessful_node_counts_as_failed():
    results = {"results": [{"unique_id": u, "status": s} for u, s in [
        ("model.a", "success"), ("model.b", "error"), ("test.c", "fail"), ("model.d", "skipped"),
        ("test.e", "pass"), ("test.f", "warn"), ("model.g", "runtime error")]]}
    assert failed_nodes(results) == ["model.b: error", "test.c: fail", "model.d: skipped", "model.g: runtime error"]


def test_docs_asset_is_downstream_of_every_model_and_never_automated(models):
    docs = build_dbt_docs_asset(models)
    spec = docs.specs_by_key[dg.AssetKey("dbt_docs")]
    assert spec.group_name == "dbt_docs" and spec.kinds == {"dbt"}
    assert {d.asset_key.path[0] for d in spec.deps} == {"marts", "staging"} and len(spec.deps) == 12
    assert spec.automation_condition is None and docs.partitions_def is None


def test_missing_manifest_fails_with_the_fix(tmp_path):
    (tmp_path / "dbt_project.yml").write_text("name: empty\nprofile: none\n")
    project = DbtProject(project_dir=tmp_path)
    with pytest.raises(MissingManifestError) as raised:
        manifest_path(project)
    message = str(raised.value)
    assert "\n" not in message and str(tmp_path / "target" / "manifest.json") in message
    assert message.endswith(MANIFEST_FIX) and "make manifest" in message
    with pytest.raises(MissingManifestError):
        build_dbt_assets(project)
