"""The whole dbt-to-Dagster mapping in one class, so lineage rules live in one reviewable place.

dbt sources become the ``raw/<table>`` assets the loaders produce (one graph, no orphan keys);
folders become groups; ``meta`` carries owners and tags; the node checksum is the code version, so
Dagster knows when SQL changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

RAW_PREFIX = "raw"


class PlatformDbtTranslator(DagsterDbtTranslator):
    def __init__(self):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([RAW_PREFIX, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        owner = (dbt_resource_props.get("meta") or {}).get("owner") or (
            dbt_resource_props.get("config", {}).get("meta") or {}
        ).get("owner")
        return [owner] if owner else super().get_owners(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = dict(super().get_tags(dbt_resource_props))
        materialized = dbt_resource_props.get("config", {}).get("materialized")
        if materialized:
            tags["materialized"] = materialized.replace("_", "-")
        return tags

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return (dbt_resource_props.get("checksum") or {}).get("checksum")

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]):
        return dg.AutomationCondition.eager()
