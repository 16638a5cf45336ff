"""The ingestion layer's contribution to the code location: generated raw assets and their resources.

``warehouse`` comes from the top-level definitions; ``landing`` and ``http`` are declared here with
defaults that resolve their environment only when a run uses them.
"""

import dagster as dg

from pipeline_platform.ingestion.assets import build_raw_assets
from pipeline_platform.ingestion.load.audit import audit_asset_spec
from pipeline_platform.ingestion.api.http_client import HttpClientResource
from pipeline_platform.resources.landing import LandingFolder


def ingestion_resources() -> dict:
    return {"landing": LandingFolder(), "http": HttpClientResource()}


def ingestion_defs() -> dg.Definitions:
    return dg.Definitions(assets=[*build_raw_assets(), audit_asset_spec], resources=ingestion_resources())
