"""The whole dbt-to-Dagster mapping in one class, so lineage rules live in one reviewable place.

dbt sources become the ``raw/<table>`` assets the loaders produce (one graph, no orphan keys);
folders become groups; ``meta`` carries owners and tags; the node checksum is the code version, so
Dagster knows when SQL changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

RAW_PREFIX = "raw"
TAG = re.compile(r"[A-Za-z0-9_.-]{1,63}")  # what Dagster accepts as a tag key or non-empty value


def _meta(dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
    """A node's ``meta``: top level (older manifests) merged under ``config.meta`` (dbt >= 1.10)."""
    return {**(dbt_resource_props.get("meta") or {}), **(dbt_resource_props.get("config", {}).get("meta") or {})}


class PlatformDbtTranslator(DagsterDbtTranslator):
    def __init__(self):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([RAW_PREFIX, dbt_resource_props["name"]])
        # Models are keyed like the relation they build: marts/fct_orders is marts.fct_orders.
        schema = dbt_resource_props.get("config", {}).get("schema")
        return dg.AssetKey([schema, dbt_resource_props["name"]] if schema else [dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        owner = _meta(dbt_resource_props).get("owner")
        return [owner] if owner else super().get_owners(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        # dbt tags (keys with empty values), then `meta: {tags: {key: value}}`, then the materialization.
        tags = dict(super().get_tags(dbt_resource_props))
        meta_tags = _meta(dbt_resource_props).get("tags") or {}
        if isinstance(meta_tags, Mapping):
            tags.update({str(k): str(v) for k, v in meta_tags.items() if TAG.fullmatch(str(k)) and TAG.fullmatch(str(v))})
        materialized = dbt_resource_props.get("config", {}).get("materialized")
        if materialized:
            tags["materialized"] = materialized.replace("_", "-")
        return tags

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return (dbt_resource_props.get("checksum") or {}).get("checksum")

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]):
        # Owned by the automation layer: rebuild any day whose upstream updated, never on a broken upstream.
        from pipeline_platform.automation.conditions import dbt_model_condition

        return dbt_model_condition()
