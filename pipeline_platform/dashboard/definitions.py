"""The dashboard layer's contribution: the deploy asset, downstream of the exposure's marts."""

import dagster as dg

from pipeline_platform.dashboard.deploy import build_deploy_asset
from pipeline_platform.dashboard.settings import DashboardSettings
from pipeline_platform.dbt.exposure import exposure_asset_keys
from pipeline_platform.dbt.project import manifest_path


def dashboard_defs() -> dg.Definitions:
    return dg.Definitions(
        assets=[build_deploy_asset(exposure_asset_keys(manifest_path()))],
        resources={"dashboard": DashboardSettings()},
    )
