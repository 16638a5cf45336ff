"""A reconstructable job over a temp copy of the dbt project, so runs can be retried from failure.

``execute_job`` re-executes by re-importing the job from a module-level function; the copy's folder
travels in an environment variable set by the test (read when the job is built, never at import).
"""

import os
from pathlib import Path

import dagster as dg

from pipeline_platform.dashboard.deploy import build_deploy_asset
from pipeline_platform.dashboard.settings import DashboardSettings
from pipeline_platform.dbt.assets import build_dbt_assets
from pipeline_platform.dbt.cli_resource import dbt_resource
from pipeline_platform.dbt.exposure import streamlit_exposures
from pipeline_platform.dbt.project import manifest_path, project_at
from pipeline_platform.partitions import daily_partitions
from pipeline_platform.resources.warehouse import WarehouseResource

PROJECT_ENV = "PP_TEST_DBT_PROJECT_COPY"
JOB = "build_temp_copy"


def temp_copy_job() -> dg.JobDefinition:
    project = project_at(Path(os.environ[PROJECT_ENV]))
    defs = dg.Definitions(
        assets=[build_dbt_assets(project, daily_partitions()),
                *(build_deploy_asset(exposure) for exposure in streamlit_exposures(manifest_path(project)))],
        jobs=[dg.define_asset_job(JOB, executor_def=dg.in_process_executor)],
        resources={"dbt": dbt_resource(project), "warehouse": WarehouseResource(), "dashboard": DashboardSettings()},
    )
    return defs.resolve_job_def(JOB)
