"""One load of one source, start to finish: extract into a stage, apply, audit, measure, check.

Everything between the first COPY and the audit row's success mark is one Postgres transaction, so
any failure (HTTP, a bad CSV line, a lock timeout, the process dying) leaves the table exactly as it
was, while the audit row, committed before that transaction begins, still records the attempt and
its error (``failures.py`` says which: a lost connection is named as such, never as a symptom).
"""

from __future__ import annotations

import dagster as dg
import psycopg
from psycopg import sql

from pipeline_platform.ingestion import checks, failures, metadata
from pipeline_platform.ingestion.kinds import KINDS
from pipeline_platform.ingestion.load import apply, audit, direct, table
from pipeline_platform.ingestion.load.stage import SESSION_SETTINGS, Stage
from pipeline_platform.ingestion.window import window_of


def _load(context, conn, spec, window, load_id: int):
    """Extract and apply inside the caller's transaction; returns (counts, extra metadata, duplicates,
    the stage, or None for a direct COPY)."""
    table.begin(conn, load_id)
    existing = table.existing_columns(conn, spec.table, spec.schema)
    if direct.usable(conn, spec):
        conn.execute("SAVEPOINT direct_copy")
        try:
            sink, extra = KINDS[spec.kind].extract(context, conn, spec, window, existing, lambda c: direct.DirectSink(conn, spec, c))
            # An upsert target's PRIMARY KEY refused any repeat already; an append target has none.
            this_load = sql.SQL("(SELECT * FROM {} WHERE _load_id = {}) AS this_load").format(sink.ident, sql.Literal(load_id))
            dupes = checks.extract_duplicates(conn, spec, this_load, sink.columns) if spec.load == "append" else checks.NO_DUPLICATES
            checks.refuse_duplicates(spec, window.label or "all days", dupes)
            counts = {**direct.counts(conn, spec, sink), "rows_read": sink.rows}
            return counts, {**extra, "path": "direct COPY"}, dupes, None
        except psycopg.errors.UniqueViolation:
            conn.execute("ROLLBACK TO SAVEPOINT direct_copy")
            context.log.info(f"{spec.schema}.{spec.table}: the extract repeats keys; loading through the stage instead")
    stage, extra = KINDS[spec.kind].extract(context, conn, spec, window, existing, lambda c: Stage(conn, spec.table, c))
    counts = apply.apply(conn, spec, stage, load_id)
    dupes = counts.pop("duplicates", None) or checks.extract_duplicates(conn, spec, stage.ident, stage.columns)
    checks.refuse_duplicates(spec, window.label or "all days", dupes)  # raised here, the apply rolls back
    return {**counts, "rows_read": stage.rows}, {**extra, "path": "staged"}, dupes, stage.ident


def load(context: dg.AssetExecutionContext, spec) -> dg.MaterializeResult:
    window = window_of(context, spec.partitioned)
    target = table.target(spec.table, spec.schema)
    with psycopg.connect(context.resources.warehouse.url(), autocommit=True) as conn:
        load_id = audit.start_load(conn, spec.name, context.run.run_id, window.label)
        conn.execute(SESSION_SETTINGS)
        conn.autocommit, phase = False, "load"
        try:
            counts, extra, dupes, stage = _load(context, conn, spec, window, load_id)
            table.ensure_indexes(conn, spec)
            if after := KINDS[spec.kind].after_apply:
                extra = {**extra, **after(conn, spec)}
            emptied = extra["path"] == "direct COPY" and spec.load == "upsert"  # direct.usable: it was empty
            row_count = counts["table_rows"] = audit.table_rows(conn, spec, counts, emptied)
            written = stage if stage is not None else target if emptied else None
            marks = KINDS[spec.kind].continues_from_mark
            counts["cursor_max"] = audit.cursor_mark(conn, spec, written, emptied) if marks else None
            # Before the commit drops the stage, through which an upsert's rows are found.
            preview = metadata.preview(conn, target, load_id, counts, stage if spec.load == "upsert" else None,
                                       spec.primary_key)
            audit.finish_load(conn, load_id, counts)
            phase = "commit"
            conn.commit()
            phase = "report"
            table_name = f"{conn.info.dbname}.{spec.schema}.{spec.table}"
            results = checks.evaluate(conn, spec, target, counts["rows_read"], row_count, dupes)
        except Exception as exc:
            failures.fail(context, conn, spec, window.label, load_id, phase, exc)
    context.log.info(f"{spec.schema}.{spec.table}: {counts}")
    return dg.MaterializeResult(
        metadata={**metadata.materialization({**counts, "duplicate_rows": dupes["duplicate_rows"]}, row_count,
                                             load_id, preview, extra),
                  "dagster/table_name": dg.MetadataValue.text(table_name)},
        check_results=results
    )
