"""Turns each ``sources.yaml`` entry into a ``raw/<name>`` asset, so sources are data, not modules.

One factory means every source gets the same guarantees (staged COPY, one-transaction apply, audit
row, metadata, checks) and a new source cannot forget one of them.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline_platform import lifeline
from pipeline_platform.ingestion import checks, run
from pipeline_platform.ingestion.config import SourceSpec, load_sources
from pipeline_platform.ingestion.loader import LOADER_COLUMNS, SCHEMA
from pipeline_platform.partitions import daily_partitions


def raw_asset_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([SCHEMA, name])


def column_schema(spec: SourceSpec) -> dg.TableSchema:
    columns = [dg.TableColumn(name, type_ or "inferred") for name, type_ in spec.columns.items()]
    columns += [dg.TableColumn(name, type_.split()[0], description="added by the loader") for name, type_ in LOADER_COLUMNS.items()]
    return dg.TableSchema(columns=columns)


def build_raw_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    key = raw_asset_key(spec.name)
    freshness = dg.FreshnessPolicy.time_window(**spec.freshness) if spec.freshness else None

    @dg.asset(
        key=key,
        group_name=SCHEMA,
        description=spec.description,
        owners=[spec.owner] if spec.owner else None,
        kinds={spec.kind, "postgres"},
        partitions_def=daily_partitions if spec.partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if spec.partitioned else None,
        pool="warehouse",
        check_specs=checks.specs(spec, key),
        freshness_policy=freshness,
        required_resource_keys={"warehouse", "landing" if spec.kind == "csv" else "http"},
        metadata={
            # The database joins it in each materialization, read from the load's connection.
            "dagster/table_name": f"{SCHEMA}.{spec.name}",
            "dagster/column_schema": column_schema(spec),
            "load": spec.load,
            "primary_key": ", ".join(spec.primary_key),
        },
    )
    def _raw(context) -> dg.MaterializeResult:
        lifeline.bind_step(context)  # a killed run's step must not finish its load (lifeline.py)
        return run.load(context, spec)

    return _raw


def build_raw_assets(path: Path | str | None = None) -> list[dg.AssetsDefinition]:
    return [build_raw_asset(spec) for spec in load_sources(path)]
