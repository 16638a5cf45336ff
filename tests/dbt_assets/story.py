"""One shared sequence of real runs that every test in this folder reads (dbt builds are slow).

Real code location, over hand-built raw rows: day 1, day 2, a 30-day single-run backfill (which
re-runs days 1 and 2), the docs site, and a negative amount that trips the revenue guard in a run
that also selects the dashboard deploy. Then a temp copy of the dbt project: a column added to a
staging model and to fct_orders (day 3, no full refresh), a broken staging model (day 4, run
fails), the fix and a retry from failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipeline_platform.dbt.window import WINDOW_ENV
from pipeline_platform.resources.warehouse import dbt_env
from tests.dbt_project import expected, raw_changes
from tests.dbt_project.raw_data import seed

from . import job

FCT = "SELECT * FROM marts.fct_orders ORDER BY order_id"
FCT_OID = "SELECT 'marts.fct_orders'::regclass::oid::bigint"
BACKFILL = {"dagster/asset_partition_range_start": "2026-09-01", "dagster/asset_partition_range_end": "2026-09-30"}
DEPLOY = dg.AssetKey("deploy_dashboard")
ADD_STG = ("    _loaded_at                       as loaded_at\n",
           "    _loaded_at                       as loaded_at,\n    quantity * 10 as units_x10\n")
ADD_FCT = ("    o.updated_at\n", "    o.updated_at,\n    o.units_x10\n")
# What a dbt step sets for its dbt commands; an in-process run must leave none of it behind.
DBT_STEP_ENV = (*WINDOW_ENV, *dbt_env("postgresql://u@h/db"))
BREAK = ("    score::integer                   as score,", "    no_such_column::integer          as score,")


def edit(path: Path, change: tuple[str, str]) -> None:
    text = path.read_text()
    assert change[0] in text, path
    path.write_text(text.replace(*change))


def run_story(url: str, instance: dg.DagsterInstance, copy: Path) -> dict:
    from pipeline_platform.definitions import defs

    environment_before = {key: os.environ.get(key) for key in DBT_STEP_ENV}
    seed(url)
    models = [k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0] in ("staging", "marts")]
    out: dict = {"oids": []}

    def snap(name, result):
        out[name] = (result, expected.rows(url, FCT))
        out["oids"].append(expected.rows(url, FCT_OID))
        return result

    def real(name, keys=models, partition=None, tags=None):
        return snap(name, dg.materialize(list(defs.assets), selection=keys, partition_key=partition, tags=tags,
                                         instance=instance, resources=dict(defs.resources), raise_on_error=False))

    def on_copy(name, day, **kwargs):
        tags = {"dagster/partition": f"2026-09-{day:02d}"}
        return snap(name, dg.execute_job(dg.reconstructable(job.temp_copy_job), instance, tags=tags, **kwargs))

    for name, partition, tags in [("day1", "2026-09-01", None), ("day2", "2026-09-02", None), ("backfill", None, BACKFILL)]:
        assert real(name, partition=partition, tags=tags).success, name
    out["marts"] = {t: expected.rows(url, f"SELECT * FROM marts.{t} ORDER BY 1")
                    for t in ("mart_daily_revenue", "mart_nps_daily", "customer_lifetime_value")}
    out["expected"] = {"mart_daily_revenue": expected.daily_revenue(url), "mart_nps_daily": expected.nps_daily(url),
                       "customer_lifetime_value": expected.lifetime_values(url)}  # from raw rows, at that time
    assert real("docs", keys=[dg.AssetKey("dbt_docs")]).success
    raw_changes.apply(url, raw_changes.NEGATIVE_DAY4)
    real("negative", keys=[*models, DEPLOY], partition="2026-09-04")
    # undo, as the source would: the order is soft-deleted on day 3, so the next (day-3) run drops it
    raw_changes.apply(url, ["UPDATE raw.orders SET deleted_at = '2026-09-03 20:00+00', "
                            "updated_at = '2026-09-03 20:00+00' WHERE order_id = 107"])

    edit(copy / "models" / "staging" / "stg_orders.sql", ADD_STG)
    edit(copy / "models" / "marts" / "fct_orders.sql", ADD_FCT)
    raw_changes.apply(url, raw_changes.DAY3)
    assert on_copy("column", 3).success
    out["columns"] = expected.rows(url, "SELECT column_name FROM information_schema.columns "
                                        "WHERE table_schema = 'marts' AND table_name = 'fct_orders' ORDER BY ordinal_position")
    stg = copy / "models" / "staging" / "stg_nps_responses.sql"
    edit(stg, BREAK)
    broken = on_copy("broken", 4)
    edit(stg, BREAK[::-1])
    on_copy("retry", 4, reexecution_options=dg.ReexecutionOptions.from_failure(broken.run_id, instance))
    out["environment"] = (environment_before, {key: os.environ.get(key) for key in DBT_STEP_ENV})
    return out
