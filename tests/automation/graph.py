"""A small stand-in for the real graph (same keys, kinds, partitions and conditions), so the
automation logic is tested without dbt; ``test_end_to_end`` covers the real definitions."""


import dagster as dg

from pipeline_platform.automation.conditions import dbt_model_condition, deploy_condition
from pipeline_platform.partitions import daily_partitions

DAILY = daily_partitions()  # the demo's: partitions.start of its sources.yaml
LOADED: list[tuple[str, str]] = []


def raw(name: str, kind: str = "csv") -> dg.AssetsDefinition:
    @dg.asset(key=["raw", name], group_name="raw", kinds={kind}, partitions_def=DAILY,
              metadata={"landing_glob": f"{name}/{name}_*.csv"} if kind == "csv" else None)
    def _raw(context: dg.AssetExecutionContext):
        LOADED.append((name, context.partition_key))

    return _raw


customers, products, orders = raw("customers"), raw("products"), raw("orders", "api")
loads = dg.AssetSpec(["raw", "_loads"], group_name="raw")


@dg.asset(deps=[customers, loads], partitions_def=DAILY, automation_condition=dbt_model_condition(), group_name="staging")
def stg_customers(): ...


@dg.asset(deps=[stg_customers, orders], partitions_def=DAILY, automation_condition=dbt_model_condition(), group_name="marts")
def customer_lifetime_value(): ...


@dg.asset(deps=[customer_lifetime_value], automation_condition=deploy_condition(), group_name="dashboard")
def deploy_dashboard(): ...


@dg.asset(key=["raw", "broken"], group_name="raw", kinds={"csv"})
def broken():
    raise ValueError("COPY failed: extra data after last expected column\nCONTEXT: line 42")


@dg.asset(deps=[broken])
def after_broken_1(): ...


@dg.asset(deps=[after_broken_1])
def after_broken_2(): ...


ASSETS = [customers, products, orders, loads, stg_customers, customer_lifetime_value, deploy_dashboard,
          broken, after_broken_1, after_broken_2]
