"""Declarative automation: raw updates flow to dbt models, then to the deploy, and never through a
running or failed upstream. Evaluated with ``dg.evaluate_automation_conditions`` on a real instance."""

import dagster as dg

from tests.automation import graph

DAY = "2026-10-03"
DEFS = dg.Definitions(assets=graph.ASSETS)


class Ticker:
    def __init__(self, instance):
        self.instance, self.cursor = instance, None

    def __call__(self) -> dict[str, set]:
        result = dg.evaluate_automation_conditions(defs=DEFS, instance=self.instance, cursor=self.cursor)
        self.cursor = result.cursor
        return {
            r.key.to_user_string(): result.get_requested_partitions(r.key) if r.true_subset.is_partitioned else {"*"}
            for r in result.results if r.true_subset.size
        }


def run(instance, assets, partition=DAY, ok=True):
    if not ok:
        @dg.asset(key=assets[0].key, partitions_def=assets[0].partitions_def)
        def failing():
            raise RuntimeError("upstream broke")
        assets = [failing]
    dg.materialize(assets, instance=instance, partition_key=partition, raise_on_error=False, selection=assets)


def start_run(instance, key, partition=DAY):
    """A run that has been created (assets planned) but not finished: the upstream is in progress."""
    job = DEFS.resolve_implicit_global_asset_job_def()
    return instance.create_run_for_job(job_def=job, asset_selection=frozenset([key]), tags={"dagster/partition": partition})


def test_raw_update_flows_to_dbt_models_then_to_the_deploy(instance):
    tick = Ticker(instance)
    assert tick() == {}
    run(instance, [graph.customers, graph.orders])
    # staging and mart share partitions, so both go in one run (one `dbt build`), not the deploy yet
    assert tick() == {"stg_customers": {DAY}, "customer_lifetime_value": {DAY}}
    run(instance, [graph.stg_customers, graph.customer_lifetime_value])
    assert tick() == {"deploy_dashboard": {"*"}}
    dg.materialize([graph.deploy_dashboard], instance=instance, selection=[graph.deploy_dashboard])
    assert tick() == {}


def test_late_partition_is_rebuilt_not_only_the_latest_day(instance):
    tick = Ticker(instance)
    tick()
    run(instance, [graph.customers], partition="2026-09-02")
    assert tick() == {"stg_customers": {"2026-09-02"}}


def test_nothing_is_requested_while_an_upstream_is_in_progress(instance):
    tick = Ticker(instance)
    tick()
    run(instance, [graph.customers])
    start_run(instance, graph.customers.key)
    assert tick() == {}
    run(instance, [graph.customers])  # the in-flight load finishes (a newer run succeeds)
    assert tick() == {"stg_customers": {DAY}}


def test_nothing_is_requested_after_an_upstream_failed(instance):
    tick = Ticker(instance)
    tick()
    run(instance, [graph.customers])
    run(instance, [graph.customers], ok=False)
    assert tick() == {}
    run(instance, [graph.customers])
    assert tick() == {"stg_customers": {DAY}}


def test_deploy_waits_for_a_mart_in_progress(instance):
    tick = Ticker(instance)
    tick()
    run(instance, [graph.customers, graph.orders, graph.stg_customers, graph.customer_lifetime_value])
    start_run(instance, graph.customer_lifetime_value.key)
    assert "deploy_dashboard" not in tick()


def test_a_missing_raw_day_holds_its_models_back_a_missing_model_day_does_not(instance):
    tick = Ticker(instance)
    tick()
    run(instance, [graph.orders])  # stg_customers was never built for DAY: no reason to wait
    assert tick() == {"customer_lifetime_value": {DAY}}
    late = "2026-09-02"
    run(instance, [graph.customers], partition=late)
    assert tick() == {"stg_customers": {late}}
    run(instance, [graph.stg_customers], partition=late)
    assert tick() == {}  # customer_lifetime_value's raw orders never landed for that day
    run(instance, [graph.orders], partition=late)
    assert tick() == {"customer_lifetime_value": {late}}
