"""The whole dbt-to-Dagster mapping in one class, so lineage rules live in one reviewable place.

A dbt source is keyed like the relation it reads, ``<schema>/<identifier>`` (honouring the source's
``schema`` and the table's ``identifier``), which is exactly how a loader keys the table it writes,
so source and loader meet without a lookup table, and two sources with one table name in different
schemas stay apart; ``meta: {dagster: {asset_key: [...]}}`` overrides it. Folders become groups; ``meta`` carries owners and tags; the node checksum is the code version, so
Dagster knows when SQL changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

TAG = re.compile(r"[A-Za-z0-9_.-]{1,63}")  # what Dagster accepts as a tag key or non-empty value


def _meta(dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
    """A node's ``meta``: top level (older manifests) merged under ``config.meta`` (dbt >= 1.10)."""
    return {**(dbt_resource_props.get("meta") or {}), **(dbt_resource_props.get("config", {}).get("meta") or {})}


def source_key(dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
    """``meta.dagster.asset_key`` when given, else ``<schema>/<identifier>`` of the source table."""
    configured = (_meta(dbt_resource_props).get("dagster") or {}).get("asset_key")
    if configured:
        return dg.AssetKey(configured)
    return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props.get("identifier") or dbt_resource_props["name"]])


def reads_window(dbt_resource_props: Mapping[str, Any]) -> bool:
    """Whether a model reads the partition window: the incremental ones do, nothing else does."""
    return dbt_resource_props.get("config", {}).get("materialized") == "incremental"


class PlatformDbtTranslator(DagsterDbtTranslator):
    """``partitions``: the daily partitions of the models that read the window (None: no model is
    partitioned, e.g. a project whose sources are all unpartitioned)."""

    def __init__(self, partitions: dg.PartitionsDefinition | None = None):
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_code_references=False))
        self.partitions = partitions

    def get_partitions_def(self, dbt_resource_props: Mapping[str, Any]) -> dg.PartitionsDefinition | None:
        return self.partitions if reads_window(dbt_resource_props) else None

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return source_key(dbt_resource_props)
        # Models are keyed like the relation they build: analytics/revenue is analytics.revenue.
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

        return dbt_model_condition(self.get_partitions_def(dbt_resource_props) is not None)
