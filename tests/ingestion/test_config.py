"""sources.yaml: the real file generates the five raw assets; a bad entry fails naming file, entry, field."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
import pytest
import yaml

from pipeline_platform.ingestion.assets import build_raw_assets
from pipeline_platform.ingestion.config import SourceConfigError, default_sources_file, load_sources

NAMES = ("customers", "products", "orders", "payments", "nps_responses")


def test_every_declared_source_becomes_a_raw_asset_with_metadata_checks_and_policies():
    assets = {a.key: a for a in build_raw_assets()}
    assert set(assets) == {dg.AssetKey(["raw", n]) for n in NAMES}
    for name in NAMES:
        key = dg.AssetKey(["raw", name])
        spec = next(iter(assets[key].specs))
        kind = "csv" if name in ("customers", "products") else "postgres" if name == "nps_responses" else "api"
        assert spec.group_name == "raw" and spec.kinds == {kind, "postgres"}
        assert spec.owners == ["team:data-platform"] and spec.description
        assert spec.metadata["dagster/table_name"] == f"raw.{name}"  # the database: per load, see test_csv
        columns = [c.name for c in spec.metadata["dagster/column_schema"].columns]
        assert columns[-2:] == ["_load_id", "_loaded_at"] and len(columns) > 4
        assert spec.freshness_policy == dg.FreshnessPolicy.time_window(
            fail_window=timedelta(hours=30), warn_window=timedelta(hours=26))
        assert assets[key].backfill_policy == dg.BackfillPolicy.single_run()
        assert assets[key].partitions_def is not None
        assert assets[key].op.pool == "warehouse"
        checks = {k.name for k in assets[key].check_keys}
        assert {"primary_key_unique", "primary_key_not_null", "extract_keys_unique"} <= checks
        assert ("has_rows" in checks) == (name != "products")


GOOD = {"kind": "api", "base_url": "http://127.0.0.1:8765", "endpoint": "/orders", "primary_key": ["order_id"],
        "columns": {"order_id": "bigint", "updated_at": "timestamptz"}, "cursor": "updated_at"}


@pytest.mark.parametrize(
    ("change", "field", "why"),
    [
        ({"colour": "red"}, "colour", "unknown key"),
        ({"primary_key": None}, "primary_key", "required"),
        ({"primary_key": []}, "primary_key", "at least one primary key"),
        ({"base_url": "htp//nope"}, "base_url", "http(s) URL"),
        ({"base_url": "http://host:99999"}, "base_url", "invalid port"),
        ({"kind": "ftp"}, "kind", "must be one of csv, api"),
        ({"load": "merge"}, "load", "must be one of upsert, append, full_refresh"),
        ({"cursor": "modified"}, "cursor", "not one of the declared columns"),
        ({"indexes": ["modified"]}, "indexes", "not one of the declared columns"),
        ({"indexes": "updated_at"}, "indexes", "must be a list of column names"),
        ({"schema_drift": "ignore"}, "schema_drift", "must be one of fail, add_columns"),
        ({"pagination": {"style": "scroll"}}, "pagination.style", "must be one of"),
        ({"pagination": {"style": "page", "cursor_param": "c"}}, "pagination.cursor_param", "unknown key"),
        ({"columns": {"order_id": "bigint; drop table x"}}, "columns.order_id", "not a Postgres type"),
        ({"base_url_env": "not-a-var"}, "base_url_env", "environment variable name"),
        ({"auth": {"header": "Authorization"}}, "auth.env", "environment variable"),
        ({"freshness": {"warn_window": "2h"}}, "freshness.fail_window", "required"),
        ({"freshness": {"fail_window": "soon"}}, "freshness.fail_window", "duration"),
        ({"landing_glob": "x/*.csv"}, "landing_glob", "not valid for kind 'api'"),
        ({"load": "full_refresh"}, "partitioned", "partitioned: none"),
    ],
)
def test_invalid_entry_fails_at_load_naming_file_entry_and_field(tmp_path, change, field, why):
    path = tmp_path / "sources.yaml"
    entry = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    path.write_text(yaml.safe_dump({"sources": {"good": GOOD, "shop_orders": entry}}))
    with pytest.raises(SourceConfigError) as err:
        build_raw_assets(path)
    message = str(err.value)
    assert str(path) in message and "source 'shop_orders'" in message and f"field '{field}'" in message, message
    assert why in message, message


def test_missing_primary_key_for_csv_upsert_is_rejected(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("sources:\n  customers:\n    kind: csv\n    landing_glob: c/*.csv\n")
    with pytest.raises(SourceConfigError, match=r"s\.yaml: source 'customers': field 'primary_key': required"):
        load_sources(path)


def test_shipped_sources_file_is_the_package_default():
    assert default_sources_file().name == "sources.yaml" and default_sources_file().exists()
    specs = {s.name: s for s in load_sources()}
    assert specs["orders"].options.base_url_env == "PIPELINE_DEMO_API_URL"
    assert specs["orders"].soft_delete == "deleted_at"


def test_partitions_and_schema_come_from_the_sources_file(tmp_path, monkeypatch):
    from pipeline_platform.ingestion.config import load_partitioning
    from pipeline_platform.partitions import daily_partitions

    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump({
        "partitions": {"start": "2025-03-01", "timezone": "Europe/Berlin"},
        "defaults": {"schema": "landing_zone"},
        "sources": {"good": GOOD, "roster": {"kind": "csv", "landing_glob": "hr/*.csv", "partitioned": "none",
                                             "load": "full_refresh", "schema": "hr"}},
    }))
    assert load_partitioning(path) == ("2025-03-01", "Europe/Berlin")
    assert {a.key.to_user_string(): a.partitions_def is not None for a in build_raw_assets(path)} == {
        "landing_zone/good": True, "hr/roster": False}
    assert daily_partitions(path).get_first_partition_key() == "2025-03-01"
    assert daily_partitions(path).timezone == "Europe/Berlin"
    monkeypatch.setenv("PIPELINE_PARTITION_START", "2025-06-01")  # the variable wins over the file
    assert daily_partitions(path).get_first_partition_key() == "2025-06-01"


def test_a_daily_source_without_a_partition_start_names_the_fix(tmp_path):
    path = tmp_path / "team.yaml"
    path.write_text(yaml.safe_dump({"sources": {"good": GOOD}}))
    with pytest.raises(SourceConfigError, match="partitions: {start: YYYY-MM-DD}.*PIPELINE_PARTITION_START"):
        build_raw_assets(path)
    path.write_text(yaml.safe_dump({"partitions": {"start": "March"}, "sources": {"good": GOOD}}))
    with pytest.raises(SourceConfigError, match="partitions.start must be a date"):
        build_raw_assets(path)
