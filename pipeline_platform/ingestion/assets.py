"""Turns each ``sources.yaml`` entry into a ``raw/<name>`` asset, so sources are data, not modules.

One factory means every source gets the same guarantees (staged COPY, one-transaction apply,
audit row, metadata) and a new source cannot forget one of them.
"""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
from psycopg import sql

from pipeline_platform.ingestion import audit, csv_source, loader
from pipeline_platform.ingestion.config import SourceSpec, load_sources
from pipeline_platform.partitions import daily_partitions
from pipeline_platform.resources.landing import LandingFolder
from pipeline_platform.resources.warehouse import WarehouseResource

RAW_SCHEMA = "raw"


def raw_asset_key(name: str) -> dg.AssetKey:
    return dg.AssetKey([RAW_SCHEMA, name])


def _window(context: dg.AssetExecutionContext) -> tuple[date, date, str | None]:
    if not context.has_partition_key_range:
        return date.min, date.max, None
    start, end = context.partition_time_window
    key_range = context.partition_key_range
    label = key_range.start if key_range.start == key_range.end else f"{key_range.start}..{key_range.end}"
    return start.date(), (end - timedelta(days=1)).date(), label


def build_raw_asset(spec: SourceSpec) -> dg.AssetsDefinition:
    columns = list(spec.columns)

    @dg.asset(
        key=raw_asset_key(spec.name),
        group_name=RAW_SCHEMA,
        description=spec.description,
        owners=[spec.owner] if spec.owner else None,
        kinds={spec.kind, "postgres"},
        partitions_def=daily_partitions if spec.partitioned == "daily" else None,
        backfill_policy=dg.BackfillPolicy.single_run() if spec.partitioned == "daily" else None,
        pool="warehouse",
        metadata={
            "dagster/table_name": f"warehouse.{RAW_SCHEMA}.{spec.name}",
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(name, type_) for name, type_ in spec.columns.items()]
            ),
        },
    )
    def _raw(context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingFolder):
        first, last, partition = _window(context)
        paths = csv_source.files_for_days(landing.root(), spec.landing_glob, first, last)
        url = warehouse.url()
        load_id = audit.start_load(url, spec.name, context.run_id, partition)
        try:
            with warehouse.connect() as conn:
                loader.ensure_table(conn, RAW_SCHEMA, spec.name, spec.columns, list(spec.primary_key))
                totals = {"rows_read": 0, "inserted": 0, "updated": 0, "deleted": 0}
                for path in paths:
                    offset = csv_source.read_header(path, columns)
                    counts = loader.copy_and_upsert(
                        conn, RAW_SCHEMA, spec.name, spec.columns, list(spec.primary_key), spec.cursor,
                        csv_source.stream_body(path, offset), load_id,
                    )
                    totals = {k: totals[k] + counts[k] for k in totals}
                audit.finish_load(conn, load_id, totals)
                row_count = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(RAW_SCHEMA), sql.Identifier(spec.name))
                ).fetchone()[0]
        except Exception as exc:
            audit.fail_load(url, load_id, str(exc))
            raise
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": row_count,
                "files": len(paths),
                "load_id": load_id,
                **{k: dg.IntMetadataValue(v) for k, v in totals.items()},
            }
        )

    return _raw


def build_raw_assets() -> list[dg.AssetsDefinition]:
    return [build_raw_asset(spec) for spec in load_sources()]
