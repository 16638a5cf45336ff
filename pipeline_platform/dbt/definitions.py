"""The dbt layer's contribution to the code location."""

import dagster as dg
from dagster_dbt import DbtCliResource

from pipeline_platform.dbt.assets import build_dbt_assets
from pipeline_platform.dbt.project import dbt_project


def dbt_defs() -> dg.Definitions:
    return dg.Definitions(assets=[build_dbt_assets()], resources={"dbt": DbtCliResource(project_dir=dbt_project)})
