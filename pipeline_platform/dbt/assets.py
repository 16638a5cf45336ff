"""All dbt models as one ``@dbt_assets`` definition: one ``dbt build`` per run, never one per model.

Models share the ingestion's daily partitions so a partition (or a single-run backfill range) is
passed to the incremental models as a ``min_date``/``max_date`` window (``window.py``). Any errored
or skipped node fails the step: a dbt run that quietly skipped half the graph must not look green. A retry
rebuilds only what the failed run did not finish (``retry.py``); a killed run worker takes the
step and its dbt process with it (``lifeline.py``).
"""


import json
import os

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from pipeline_platform import lifeline
from pipeline_platform.dbt import statistics
from pipeline_platform.dbt.cli_resource import adapter_while_running, events_with_metadata
from pipeline_platform.dbt.parse_state import keep_parse_state
from pipeline_platform.dbt.project import dbt_project, manifest_path
from pipeline_platform.dbt.retry import exclude_args
from pipeline_platform.dbt.translator import PlatformDbtTranslator
from pipeline_platform.dbt.window import window_env
from pipeline_platform.partitions import daily_partitions
from pipeline_platform.resources.warehouse import WarehouseResource, dbt_env

BAD_STATUSES = ("error", "fail", "skipped", "runtime error")


def failed_nodes(run_results: dict) -> list[str]:
    """``unique_id: status`` of every node that did not succeed (errors, test failures, skips)."""
    return [f"{r['unique_id']}: {r['status']}" for r in run_results["results"] if r["status"] in BAD_STATUSES]


def build_dbt_assets(project: DbtProject = dbt_project) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=manifest_path(project),
        dagster_dbt_translator=PlatformDbtTranslator(),
        project=project,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
    )
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        lifeline.bind_step(context)  # a killed run's step and its dbt must not keep building
        # dbt reads the connection through env_var (profiles.yml); the run worker owns its environ.
        os.environ.update(dbt_env(warehouse.url()))
        partitioned = context.has_partition_key or context.has_partition_key_range
        os.environ.update(window_env(context.partition_time_window if partitioned else None))
        args = ["build", *exclude_args(context)]
        analyzed = statistics.analyze_stale(warehouse.url())
        if analyzed:
            context.log.info(f"Analyzed before dbt build (statistics missing or stale): {', '.join(analyzed)}")
        invocation = dbt.cli(args, context=context, raise_on_error=False)
        with_adapter = adapter_while_running(dbt, invocation, args)
        with lifeline.dies_with_this_process(invocation.process.pid):
            # dbt runs to the end before the row counts and column metadata are fetched: dagster's
            # fetchers poll in a busy loop while they wait for dbt's next event, and on a small
            # machine those spinning threads take the cores dbt and Postgres need.
            events = list(invocation.stream())
            keep_parse_state(invocation)
            yield from events_with_metadata(events, with_adapter())
        results_file = invocation.target_path / "run_results.json"
        failed = failed_nodes(json.loads(results_file.read_text())) if results_file.exists() else []
        if failed or not invocation.is_successful():
            raise dg.Failure(
                description=f"dbt build finished with {len(failed)} failed or skipped node(s)",
                metadata={"nodes": "\n".join(failed[:50]) or "(none: dbt itself failed, see the logs)"},
            )

    return warehouse_models

