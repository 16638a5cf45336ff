"""A module-level job so ``execute_job`` can re-execute it the way Dagster's run retries do."""

import dagster as dg


@dg.op
def load_orders_api():
    raise ConnectionError("orders API timed out after 30s\nGET /orders?updated_since=2026-10-03")


@dg.job(executor_def=dg.in_process_executor)
def nightly_api_load():
    load_orders_api()
