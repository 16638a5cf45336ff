"""All dbt models as one ``@dbt_assets`` definition: one ``dbt build`` per run, never one per model.

Models share the ingestion's daily partitions so a partition (or a single-run backfill range) is
passed to the incremental models as ``min_date``/``max_date`` vars. Any errored or skipped node
fails the step: a dbt run that quietly skipped half the graph must not look green.
"""

from __future__ import annotations

import json
import os

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from pipeline_platform.dbt.project import dbt_project, manifest_path
from pipeline_platform.dbt.translator import PlatformDbtTranslator
from pipeline_platform.partitions import daily_partitions
from pipeline_platform.resources.warehouse import WarehouseResource, dbt_env


def build_args(context: dg.AssetExecutionContext) -> list[str]:
    """``dbt build`` arguments for this run: the partition window becomes vars."""
    args = ["build"]
    if context.has_partition_key_range:
        start, end = context.partition_time_window
        window = {"min_date": start.date().isoformat(), "max_date": end.date().isoformat()}
        args += ["--vars", json.dumps(window)]
    return args


def build_dbt_assets() -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=manifest_path(),
        dagster_dbt_translator=PlatformDbtTranslator(),
        project=dbt_project,
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
    )
    def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        # dbt reads the connection through env_var (profiles.yml); the run worker owns its environ.
        os.environ.update(dbt_env(warehouse.url()))
        invocation = dbt.cli(build_args(context), context=context, raise_on_error=False)
        yield from invocation.stream().fetch_row_counts().fetch_column_metadata()
        failed = [
            f"{r['unique_id']}: {r['status']}"
            for r in invocation.get_artifact("run_results")["results"]
            if r["status"] in ("error", "fail", "skipped", "runtime error")
        ]
        if failed:
            raise dg.Failure(
                description=f"dbt build finished with {len(failed)} failed or skipped node(s)",
                metadata={"nodes": "\n".join(failed[:50])},
            )

    return warehouse_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, target="dev")
