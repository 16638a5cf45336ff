"""The ingestion layer's contribution to the code location."""

import dagster as dg

from pipeline_platform.ingestion.assets import build_raw_assets
from pipeline_platform.ingestion.audit import audit_asset_spec
from pipeline_platform.resources.landing import LandingFolder


def ingestion_defs() -> dg.Definitions:
    return dg.Definitions(assets=[*build_raw_assets(), audit_asset_spec], resources={"landing": LandingFolder()})
