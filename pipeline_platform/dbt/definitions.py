"""The dbt layer's contribution to the code location: the models, their docs site and the CLI."""

import dagster as dg

from pipeline_platform.dbt.assets import build_dbt_assets
from pipeline_platform.dbt.cli_resource import dbt_resource
from pipeline_platform.dbt.docs import build_dbt_docs_asset


def dbt_defs() -> dg.Definitions:
    models = build_dbt_assets()
    return dg.Definitions(assets=[models, build_dbt_docs_asset(models)], resources={"dbt": dbt_resource()})
