"""The dashboard's upstream marts, read from the dbt exposure so the list exists exactly once.

``deploy_dashboard`` depends on what the exposure ``dashboard`` declares; adding a mart to the
dashboard means editing the exposure, and the Dagster graph follows.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from pipeline_platform.dbt.translator import PlatformDbtTranslator

EXPOSURE = "dashboard"


def exposure_asset_keys(manifest: Path, exposure: str = EXPOSURE) -> list[dg.AssetKey]:
    data = json.loads(manifest.read_text())
    found = [e for e in data["exposures"].values() if e["name"] == exposure]
    if not found:
        raise ValueError(f"{manifest}: no dbt exposure named '{exposure}'")
    translator = PlatformDbtTranslator()
    nodes = [data["nodes"].get(uid) or data["sources"][uid] for uid in found[0]["depends_on"]["nodes"]]
    return sorted({translator.get_asset_key(node) for node in nodes}, key=lambda k: k.to_string())
