"""The dashboard layer's contribution: one deploy asset per dbt exposure that names a Streamlit app."""

import dagster as dg

from pipeline_platform.dashboard.deploy import build_deploy_asset
from pipeline_platform.dashboard.settings import DashboardSettings
from pipeline_platform.dbt.exposure import streamlit_exposures
from pipeline_platform.dbt.project import manifest_path


def dashboard_defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[build_deploy_asset(exposure) for exposure in streamlit_exposures(manifest_path())],
        resources={"dashboard": DashboardSettings()},
    )
