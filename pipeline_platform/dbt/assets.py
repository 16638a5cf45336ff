"""All dbt models as one ``@dbt_assets`` definition: one ``dbt build`` per run, never one per model.

Partitions follow the project: only the models that read the partition window (the incremental
ones) carry the ingestion's daily partitions (the translator's ``get_partitions_def``); every other
model is unpartitioned, one materialization per run instead of one per day of history. A run for a
partition (or a single-run backfill range, still one ``dbt build``) passes the window to the
incremental models as ``min_date``/``max_date`` (``window.py``). Any errored or skipped node fails
the step: a dbt run that quietly skipped half the graph must not look green. A retry rebuilds only
what the failed run did not finish (``retry.py``); a killed run worker takes the step and its dbt
process with it (``lifeline.py``). Two builds of one model at once wait for each other on a
platform lock (``build_lock.py``), so no project needs a hook for it.
"""


import json

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from pipeline_platform import lifeline
from pipeline_platform.dbt import statistics, target_folders
from pipeline_platform.dbt.build_lock import models_locked
from pipeline_platform.dbt.cli_resource import events_with_metadata
from pipeline_platform.dbt.invocation_env import dbt_environment
from pipeline_platform.dbt.parse_state import keep_parse_state
from pipeline_platform.dbt.project import dbt_project, invocation_root, manifest_path
from pipeline_platform.dbt.retry import UNIQUE_ID_KEY, exclude_args
from pipeline_platform.dbt.translator import PlatformDbtTranslator
from pipeline_platform.dbt.window import window_env
from pipeline_platform.ingestion.load.table import SCHEMA
from pipeline_platform.resources.warehouse import WarehouseResource, dbt_env

BAD_STATUSES = ("error", "fail", "skipped", "runtime error")


def failed_nodes(run_results: dict) -> list[str]:
    """``unique_id: status`` of every node that did not succeed (errors, test failures, skips)."""
    return [f"{r['unique_id']}: {r['status']}" for r in run_results["results"] if r["status"] in BAD_STATUSES]


def build_dbt_assets(
    project: DbtProject | None = None,
    partitions: dg.PartitionsDefinition | None = None,
    raw_schemas: tuple[str, ...] = (SCHEMA,),
) -> dg.AssetsDefinition:
    """The models of ``project``; the incremental ones daily when ``partitions`` is given (some source
    is daily), else none. ``raw_schemas``: where the loaders write, analyzed before each build."""
    project = project or dbt_project()

    @dbt_assets(
        manifest=manifest_path(project),
        dagster_dbt_translator=PlatformDbtTranslator(partitions),
        project=project,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
    )
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        lifeline.bind_step(context)  # a killed run's step and its dbt must not keep building
        partitioned = context.has_partition_key or context.has_partition_key_range
        window = window_env(context.partition_time_window if partitioned else None)
        args = ["build", *exclude_args(context)]
        analyzed = statistics.analyze_stale(warehouse.url(), raw_schemas)
        if analyzed:
            context.log.info(f"Analyzed before dbt build (statistics missing or stale): {', '.join(analyzed)}")
        specs = context.assets_def.specs_by_key
        selected = [str(specs[key].metadata[UNIQUE_ID_KEY]) for key in context.selected_asset_keys]
        with dbt_environment({**dbt_env(warehouse.url()), **window}), models_locked(warehouse.url(), selected):
            yield from _build(context, dbt, args, warehouse.url())

    return warehouse_models


def _build(context: dg.AssetExecutionContext, dbt: DbtCliResource, args: list[str], url: str):
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    with lifeline.dies_with_this_process(invocation.process.pid):
        # dbt runs to the end before the row counts and column metadata are fetched, all models at
        # once in two queries (``events_with_metadata``): nothing competes with dbt for the cores.
        events = list(invocation.stream())
        keep_parse_state(invocation)
        target_folders.prune(invocation_root(invocation.project_dir))
        yield from events_with_metadata(events, invocation, url)
    results_file = invocation.target_path / "run_results.json"
    failed = failed_nodes(json.loads(results_file.read_text())) if results_file.exists() else []
    if failed or not invocation.is_successful():
        raise dg.Failure(
            description=f"dbt build finished with {len(failed)} failed or skipped node(s)",
            metadata={"nodes": "\n".join(failed[:50]) or "(none: dbt itself failed, see the logs)"},
        )
