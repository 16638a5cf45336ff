"""Turns each ``sources.yaml`` entry into a ``raw/<name>`` asset, so sources are data, not modules.

One factory means every source gets the same guarantees (staged COPY, one-transaction apply, audit
row, metadata, checks) and a new source cannot forget one of them.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline_platform import lifeline
from pipeline_platform.ingestion import checks, run
from pipeline_platform.ingestion.config import SourceConfigError, SourceSpec, default_sources_file, load_sources
from pipeline_platform.ingestion.kinds import KINDS
from pipeline_platform.ingestion.load.table import LOADER_COLUMNS, SCHEMA
from pipeline_platform.partitions import daily_partitions

GROUP = SCHEMA  # the loaders' layer in the asset graph (named after the default schema), whatever schema each one writes into


def raw_asset_key(spec: SourceSpec) -> dg.AssetKey:
    """Keyed like the relation it writes: ``<schema>/<table>`` (``raw/<name>`` by default)."""
    return dg.AssetKey([spec.schema, spec.table])


def column_schema(spec: SourceSpec) -> dg.TableSchema:
    columns = [dg.TableColumn(name, type_ or "inferred") for name, type_ in spec.columns.items()]
    columns += [dg.TableColumn(name, type_.split()[0], description="added by the loader") for name, type_ in LOADER_COLUMNS.items()]
    return dg.TableSchema(columns=columns)


def build_raw_asset(spec: SourceSpec, partitions: dg.PartitionsDefinition | None = None) -> dg.AssetsDefinition:
    key = raw_asset_key(spec)
    freshness = dg.FreshnessPolicy.time_window(**spec.freshness) if spec.freshness else None

    @dg.asset(
        key=key,
        group_name=GROUP,
        description=spec.description,
        owners=[spec.owner] if spec.owner else None,
        kinds={spec.kind, "postgres"},
        partitions_def=partitions if spec.partitioned else None,
        backfill_policy=dg.BackfillPolicy.single_run() if spec.partitioned else None,
        pool="warehouse",
        check_specs=checks.specs(spec, key),
        freshness_policy=freshness,
        required_resource_keys={"warehouse", *filter(None, [KINDS[spec.kind].resource])},
        metadata={
            # The database joins it in each materialization, read from the load's connection.
            "dagster/table_name": f"{spec.schema}.{spec.table}",
            "dagster/column_schema": column_schema(spec),
            "load": spec.load,
            "primary_key": ", ".join(spec.primary_key),
            **KINDS[spec.kind].asset_metadata(spec.options),
        },
    )
    def _raw(context) -> dg.MaterializeResult:
        lifeline.bind_step(context)  # a killed run's step must not finish its load (lifeline.py)
        return run.load(context, spec)

    return _raw


def build_raw_assets(path: Path | str | None = None) -> list[dg.AssetsDefinition]:
    specs = load_sources(path)
    partitions = daily_partitions(path)
    daily = [s.name for s in specs if s.partitioned]
    if daily and partitions is None:
        raise SourceConfigError(
            f"{path or default_sources_file()}: source(s) {daily} are partitioned daily, but no partition start "
            "is set: add `partitions: {start: YYYY-MM-DD}` to the sources file or set PIPELINE_PARTITION_START"
        )
    return [build_raw_asset(spec, partitions) for spec in specs]
