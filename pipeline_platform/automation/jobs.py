"""Jobs that schedules, sensors and ``make run`` target, named for the slice of the graph they refresh.

Selections are by group, not by key list, so a source added to ``sources.yaml`` or a model added to
``models/marts`` is picked up without touching this file.
"""

import dagster as dg

RAW = dg.AssetSelection.groups("raw")

ingest_job = dg.define_asset_job(
    "ingest_raw",
    selection=RAW,
    description="Load one day (or a single-run range) of every raw source.",
)

refresh_warehouse_job = dg.define_asset_job(
    "refresh_warehouse",
    # Groups, not RAW.downstream(): the external audit table raw/_loads is not in RAW, so a
    # downstream walk from RAW would miss stg_loads and the data version built on it.
    selection=dg.AssetSelection.groups("raw", "staging", "marts"),
    description="Raw loads and one dbt build for a partition range: everything but the deploy.",
)

marts_job = dg.define_asset_job(
    "build_marts",
    selection=dg.AssetSelection.groups("marts"),
    description="One `dbt build` of the models under models/marts (and their tests) for a day.",
)

deploy_dashboard_job = dg.define_asset_job(
    "deploy_dashboard_job",
    # every deploy_<exposure> asset (none when the project names no Streamlit app) and the docs site
    selection=dg.AssetSelection.groups("dashboard") | dg.AssetSelection.assets("dbt_docs"),
    description="Redeploy every dashboard and regenerate the dbt docs site over the current marts.",
)
