"""The fast path: COPY straight into the target when staging cannot change the outcome.

Into an empty table (a first load, a backfill into a fresh warehouse) or for an ``append`` source,
an upsert would insert every staged row anyway, so staging only doubles the write. Copying directly,
inside the same transaction and under the same advisory lock, costs what ``psql \\copy`` costs. If
the extract repeats a key (say, one customer in two daily files), the PRIMARY KEY stops the COPY;
we roll back to a savepoint and redo the load through the stage, which keeps the newest version.
"""

from __future__ import annotations

from psycopg import sql

from pipeline_platform.ingestion.load import table
from pipeline_platform.ingestion.load.stage import Stage
from pipeline_platform.ingestion.load.upsert import is_set


class DirectSink(Stage):
    """Same interface as ``Stage``, but the rows land in ``raw.<table>`` itself."""

    def __init__(self, conn, spec, columns: dict[str, str]):
        table.ensure_table(conn, spec.table, columns, spec.primary_key if spec.load == "upsert" else (), spec.schema)
        self.conn, self.columns, self.rows = conn, dict(columns), 0
        self.ident = table.target(spec.table, spec.schema)


def usable(conn, spec) -> bool:
    """Lock the table and say whether a direct COPY gives the same result as stage + apply."""
    if spec.load == "full_refresh":
        return False
    table.lock(conn, spec.table, spec.schema)
    if spec.load == "append":
        return True
    exists = conn.execute("SELECT to_regclass(%s)", (table.target(spec.table, spec.schema).as_string(conn),)).fetchone()[0]
    if exists is None:
        return True
    return conn.execute(sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(table.target(spec.table, spec.schema))).fetchone()[0]


def counts(conn, spec, sink: DirectSink) -> dict:
    deleted = 0
    if spec.soft_delete and spec.soft_delete in sink.columns and sink.rows:
        deleted = conn.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE {}").format(sink.ident, is_set(sql.Identifier(spec.soft_delete)))
        ).fetchone()[0]
    return {"inserted": sink.rows, "updated": 0, "deleted": deleted}
