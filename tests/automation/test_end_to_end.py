"""End to end on the real definitions: a landing file -> its raw asset -> dbt -> dashboard deploy.

Sensor and automation-condition evaluations are the real ones against a real instance and the
session's embedded Postgres; each run they request is executed in process, as the daemon would
launch it. API sources are loaded first for the day, as the nightly schedule would have.
"""

import os

import dagster as dg

from pipeline_platform.automation.landing_scan import load_cursor
from pipeline_platform.dashboard import local
from pipeline_platform.demo.api import DemoApi
from pipeline_platform.demo.landing import land_days
from tests.helpers import free_port

FIRST, BEFORE, DAY, AS_OF = "2026-09-01", "2026-09-07", "2026-09-08", "2026-09-09T12:00:00+00:00"
HISTORY = {"dagster/asset_partition_range_start": FIRST, "dagster/asset_partition_range_end": BEFORE}
API = [dg.AssetKey(["raw", n]) for n in ("orders", "payments", "nps_responses")]


def test_landing_file_reaches_marts_and_dashboard(clean_warehouse, instance, tmp_path, monkeypatch):
    from pipeline_platform.definitions import defs

    monkeypatch.setenv("PIPELINE_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("PIPELINE_DASHBOARD_PORT", str(free_port()))
    assets, resources = list(defs.assets), dict(defs.resources)

    def run(keys, partition=DAY, tags=None):
        result = dg.materialize(assets, selection=keys, partition_key=partition, instance=instance,
                                resources=resources, raise_on_error=False, tags=tags)
        assert result.success, [e.message for e in result.all_events if e.is_failure]
        return result

    with DemoApi(port=0, as_of=AS_OF) as api:
        monkeypatch.setenv("PIPELINE_DEMO_API_URL", api.url)
        # History up to the day before (the initial backfill), loaded before automation looks.
        land_days(tmp_path / "history", FIRST, BEFORE, as_of=AS_OF)
        monkeypatch.setenv("PIPELINE_LANDING_DIR", str(tmp_path / "history"))
        # The initial backfill builds raw and dbt together, as `make run` does on a fresh clone.
        history = dg.AssetSelection.groups("raw", "staging", "marts").resolve(defs.resolve_asset_graph())
        run([k for k in history if k.path != ["raw", "_loads"]], None, HISTORY)
        monkeypatch.setenv("PIPELINE_LANDING_DIR", str(tmp_path / "landing"))
        cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor  # baseline tick
        run(API)  # the day's API loads, as the nightly schedule does
        land_days(tmp_path / "landing", DAY, DAY, as_of=AS_OF)
        for path in (tmp_path / "landing").rglob("*.csv"):
            os.utime(path, (path.stat().st_mtime - 10,) * 2)  # settled: not still being written

        sensor = defs.resolve_sensor_def("landing_sensor")
        tick = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, definitions=defs, resources={"landing": resources["landing"]}))
        targets = sorted((r.asset_selection[0].to_user_string(), r.partition_key) for r in tick.run_requests)
        assert targets == [("raw/customers", DAY), ("raw/products", DAY)]
        assert len(load_cursor(tick.cursor).files) == 2
        for request in tick.run_requests:
            run(request.asset_selection)

        built: set[dg.AssetKey] = set()
        try:
            for _ in range(4):
                result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
                cursor = result.cursor
                requested = {r.key for r in result.results if r.true_subset.size and r.key not in built}
                if not requested:
                    break
                partitioned = {k for k in requested if defs.resolve_asset_graph().get(k).partitions_def}
                for keys, partition in ((partitioned, DAY), (requested - partitioned, None)):
                    if keys:
                        run(list(keys), partition)
                        built |= keys
        finally:
            local.stop_recorded()

    marts = {k for k in built if defs.resolve_asset_graph().get(k).group_name == "marts"}
    assert {"fct_orders", "customer_lifetime_value", "mart_daily_revenue"} <= {k.path[-1] for k in marts}
    assert dg.AssetKey("deploy_dashboard") in built
    assert instance.get_latest_materialization_event(dg.AssetKey("deploy_dashboard")) is not None
