"""The staging table every extract streams into, before anything touches the target table.

A TEMP table (no WAL, dropped at commit) takes the raw bytes at COPY speed and lets Postgres do all
type parsing; the apply step then runs as set-based SQL in the same transaction. Because the stage
can gain columns between COPY statements, an API page or CSV file that brings a new field can be
handled mid-stream by the drift policy without buffering anything in Python.
"""

from __future__ import annotations

from contextlib import contextmanager

from psycopg import sql

from pipeline_platform.ingestion.load.copy_writer import Background, Relay

# Temp tables live in backend-local buffers (8 MB by default): a bigger pool keeps a large extract
# in memory instead of spilling to disk. Must be set before the session's first temp-table access.
# A page read through an index costs about what a sequential one does on SSDs and in cache; at the
# default 4.0 (a spinning disk) the planner joined a day's 50,000 changed rows with a 5M-row target
# by scanning all of it (2.1-2.7 s) instead of 50,000 primary-key probes (0.8 s). Large stages still
# get the hash join, which is cheaper for them at either cost.
SESSION_SETTINGS = ("SET temp_buffers = '256MB'; SET work_mem = '128MB'; SET maintenance_work_mem = '256MB'; "
                    "SET random_page_cost = 1.1")


def column_defs(columns: dict[str, str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items())


def ident_list(names) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, names))


class Stage:
    """A TEMP table with the source's columns; ``rows`` counts what COPY accepted."""

    def __init__(self, conn, name: str, columns: dict[str, str]):
        self.conn, self.columns, self.rows = conn, dict(columns), 0
        self.ident = sql.Identifier(f"_stage_{name}")
        conn.execute(
            sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(self.ident, column_defs(self.columns))
        )

    def add_column(self, name: str, type_: str) -> None:
        self.conn.execute(
            sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(self.ident, sql.Identifier(name), sql.SQL(type_))
        )
        self.columns[name] = type_

    def retype(self, name: str, type_: str) -> None:
        """A column typed from earlier values widened (``drift.RETYPE_EXACTLY``); no COPY may be open."""
        self.conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::{}").format(
            self.ident, sql.Identifier(name), sql.SQL(type_), sql.Identifier(name), sql.SQL(type_)))
        self.columns[name] = type_

    @contextmanager
    def copy(self, columns: list[str], header: bool = False, text: bool = False, binary: bool = False,
             relay: bool = False):
        """A COPY ... FROM STDIN into ``columns``; yields the psycopg Copy to ``write`` bytes to:
        CSV, or with ``text`` COPY's own text format (what ``rows.Formatter`` writes) or with
        ``binary`` its binary format, sent from a thread (``copy_writer``) so that formatting the
        next page overlaps Postgres taking this one; with ``relay`` sent without waiting instead, by
        a caller that polls ``copy.writer`` (``copy_writer.Relay``)."""
        options = "FORMAT binary" if binary else "FORMAT text" if text else "FORMAT csv" + (", HEADER true" if header else "")
        encoding = "" if binary else ", ENCODING 'UTF8'"
        stmt = sql.SQL("COPY {} ({}) FROM STDIN ({}{})").format(
            self.ident, ident_list(columns), sql.SQL(options), sql.SQL(encoding))
        with self.conn.cursor() as cur:
            writer = Relay(cur) if relay else Background(cur) if text or binary else None
            with cur.copy(stmt, writer=writer) as copy:
                yield copy
            self.rows += max(cur.rowcount, 0)
