"""Jobs that schedules, sensors and ``make run`` target, named for the slice of the graph they refresh.

Selections are by group and kind, not by key list, so a source added to the sources file or a model
added anywhere in the team's dbt project is picked up without touching this file.
"""

import dagster as dg

from pipeline_platform.ingestion.assets import GROUP

RAW = dg.AssetSelection.groups(GROUP)
# Every dbt model (kind dbt), but not the docs site, which only the deploy job regenerates.
MODELS = dg.AssetSelection.kind("dbt") - dg.AssetSelection.assets("dbt_docs")

ingest_job = dg.define_asset_job(
    "ingest_raw",
    selection=RAW,
    description="Load one day (or a single-run range) of every raw source.",
)

refresh_warehouse_job = dg.define_asset_job(
    "refresh_warehouse",
    # Not RAW.downstream(): models reading only external tables (the audit table, a source no
    # loader writes) are not downstream of a loader, yet belong to the refresh.
    selection=RAW | MODELS,
    description="Raw loads and one dbt build for a partition range: everything but the deploy.",
)

marts_job = dg.define_asset_job(
    "build_marts",
    selection=MODELS,
    description="One `dbt build` of every dbt model (and its tests) for a day.",
)

deploy_dashboard_job = dg.define_asset_job(
    "deploy_dashboard_job",
    # every deploy_<exposure> asset (none when the project names no Streamlit app) and the docs site
    selection=dg.AssetSelection.groups("dashboard") | dg.AssetSelection.assets("dbt_docs"),
    description="Redeploy every dashboard and regenerate the dbt docs site over the current marts.",
)
