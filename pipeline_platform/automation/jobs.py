"""Jobs that schedules, sensors and ``make run`` target, named for the slice they refresh."""

import dagster as dg

ingest_job = dg.define_asset_job(
    "ingest_raw",
    selection=dg.AssetSelection.groups("raw"),
    description="Load one day (or a single-run range) of every raw source.",
)

refresh_warehouse_job = dg.define_asset_job(
    "refresh_warehouse",
    selection=dg.AssetSelection.groups("raw") | dg.AssetSelection.groups("raw").downstream() - dg.AssetSelection.assets("deploy_dashboard"),
    description="Raw loads and one dbt build for a partition range: everything but the deploy.",
)

deploy_dashboard_job = dg.define_asset_job(
    "deploy_dashboard_job",
    selection=dg.AssetSelection.assets("deploy_dashboard"),
    description="Redeploy the dashboard over the current marts.",
)
