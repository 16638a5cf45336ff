"""The one ``Definitions`` of the code location, merged from each layer's own ``definitions.py``.

This module only assembles: loading it performs no environment read, no database connection and no
dbt subprocess, so ``dagster definitions validate`` passes with nothing configured.
"""

import dagster as dg

from pipeline_platform.automation.definitions import automation_defs
from pipeline_platform.dashboard.definitions import dashboard_defs
from pipeline_platform.dbt.definitions import dbt_defs
from pipeline_platform.ingestion.definitions import ingestion_defs
from pipeline_platform.resources.warehouse import WarehouseResource
from pipeline_platform.workers import platform_executor


def build_definitions() -> dg.Definitions:
    return dg.Definitions.merge(
        dg.Definitions(resources={"warehouse": WarehouseResource()}, executor=platform_executor),
        ingestion_defs(),
        dbt_defs(),
        dashboard_defs(),
        automation_defs(),
    )


defs = build_definitions()
