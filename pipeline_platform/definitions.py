"""The one ``Definitions`` of the code location, merged from each layer's own ``definitions.py``.

This module only assembles, in ``build_definitions``: the project's settings (sources file, dbt
project, partitions: ``settings.py``) are read there, when the location is built, never at import;
it opens no database connection and starts no dbt subprocess, so ``dagster definitions validate``
passes with nothing configured.
"""

import dagster as dg

from pipeline_platform.automation.definitions import automation_defs
from pipeline_platform.dashboard.definitions import dashboard_defs
from pipeline_platform.dbt.definitions import dbt_defs
from pipeline_platform.ingestion.assets import raw_asset_key
from pipeline_platform.ingestion.load.audit import audit_asset_spec
from pipeline_platform.ingestion.config import load_sources
from pipeline_platform.ingestion.definitions import ingestion_defs
from pipeline_platform.partitions import daily_partitions
from pipeline_platform.resources.warehouse import WarehouseResource
from pipeline_platform.workers import platform_executor


def build_definitions() -> dg.Definitions:
    specs = load_sources()
    produced = {raw_asset_key(spec) for spec in specs} | {audit_asset_spec.key}
    schemas = tuple(sorted({spec.schema for spec in specs}))
    return dg.Definitions.merge(
        dg.Definitions(resources={"warehouse": WarehouseResource()}, executor=platform_executor),
        ingestion_defs(),
        dbt_defs(daily_partitions(), produced, schemas),
        dashboard_defs(),
        automation_defs(),
    )


defs = build_definitions()
