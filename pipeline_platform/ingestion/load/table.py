"""The target table itself: its name, its columns, its lock, the loader's own columns, its indexes.

Every part of the load path (stage, direct COPY, upsert, refresh, audit, checks) needs these few
facts about the target, so they live below all of them and import nothing of theirs: that is what
keeps the load path free of import cycles. Every name is a ``psycopg.sql.Identifier``: names come
from YAML, CSV headers, API fields and source catalogs, and a column called ``x"; drop table ...``
must stay a column.
"""

from __future__ import annotations

from psycopg import sql

from pipeline_platform.ingestion.load.stage import column_defs, ident_list

SCHEMA = "raw"  # the raw layer's schema, named here only (dbt's _sources.yml and the demo SQL spell it too)
LOAD_ID_SETTING = "pipeline.load_id"
# Rows written without an explicit _load_id (a direct COPY) take the id of the load that is running.
LOAD_ID_DEFAULT = f"nullif(current_setting('{LOAD_ID_SETTING}', true), '')::bigint"
# An upsert rewrites changed rows in place. With room left on each page the new version stays on
# the old one's page (a HOT update): the primary key is not touched and one page is written, not
# three (old page, new page, index leaf): a day's 50,000 changes to a 5M-row table wrote 360-580 MB
# of WAL instead of 510-720 MB after a checkpoint (bench db-increment), for 10% more pages.
UPSERT_STORAGE = " WITH (fillfactor = 90)"
LOADER_COLUMNS = {"_load_id": f"bigint DEFAULT {LOAD_ID_DEFAULT}", "_loaded_at": "timestamptz NOT NULL DEFAULT now()"}


def target(table: str, schema: str = SCHEMA) -> sql.Composable:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))


def existing_columns(conn, table: str, schema: str = SCHEMA) -> dict[str, str]:
    """Columns and types of ``raw.<table>`` (empty when it does not exist), loader columns excluded."""
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
        (schema, table),
    ).fetchall()
    return {name: type_ for name, type_ in rows if name not in LOADER_COLUMNS}


def begin(conn, load_id: int) -> None:
    """Tag the transaction with its load id (the ``_load_id`` column default reads it)."""
    conn.execute("SELECT set_config(%s, %s, true)", (LOAD_ID_SETTING, str(load_id)))


def lock(conn, table: str, schema: str = SCHEMA) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{schema}.{table}",))


def ensure_table(conn, table: str, columns: dict[str, str], primary_key, schema: str = SCHEMA) -> None:
    """Create ``raw.<table>`` if missing; add any stage column it lacks (declared or drift-accepted)."""
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    have = existing_columns(conn, table, schema)
    if not have:
        pk = sql.SQL(", PRIMARY KEY ({})").format(ident_list(primary_key)) if primary_key else sql.SQL("")
        conn.execute(
            sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}{}){}").format(
                target(table, schema), column_defs({**columns, **LOADER_COLUMNS}), pk,
                sql.SQL(UPSERT_STORAGE if primary_key else "")
            )
        )
        return
    default = conn.execute(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
        "ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = to_regclass(%s) AND a.attname = '_load_id'",
        (target(table, schema).as_string(conn),),
    ).fetchone()
    if default is None or LOAD_ID_SETTING not in default[0]:
        conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN _load_id SET DEFAULT " + LOAD_ID_DEFAULT).format(target(table, schema)))
    for name, type_ in columns.items():
        if name not in have:
            conn.execute(
                sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(target(table, schema), sql.Identifier(name), sql.SQL(type_))
            )


def indexed_columns(spec) -> tuple[str, ...]:
    """The target's btree-indexed columns besides its primary key.

    An unpartitioned ``append`` source's ``cursor``: its high-water mark is then one index probe
    instead of a scan of the whole table, and appended rows never change, so the index costs one
    insert per new row. An upsert target records its mark with each load instead
    (``audit.cursor_mark``) and keeps its updates HOT-eligible, unless the team lists columns under
    ``indexes``: the ones their incremental models filter a day's window by, which without an index
    read the whole history on every run (bench incremental), at the price of non-HOT updates."""
    appended = spec.cursor and spec.load == "append" and not spec.partitioned
    return tuple(dict.fromkeys(((spec.cursor,) if appended else ()) + spec.indexes))


def ensure_indexes(conn, spec) -> None:
    """Create each of ``indexed_columns`` that exists and no btree index leads with; on a large
    existing table the first load after the column is listed builds the index, once. One catalog
    query for all of them, none for a source without any."""
    columns = indexed_columns(spec)
    if not columns:
        return
    t = target(spec.table, spec.schema)
    missing = conn.execute(
        "SELECT c FROM unnest(%(columns)s::text[]) WITH ORDINALITY AS u(c, n) "
        "WHERE EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(%(t)s) AND attname = c AND NOT attisdropped) "
        "AND NOT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "JOIN pg_am am ON am.oid = ic.relam JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
        "WHERE i.indrelid = to_regclass(%(t)s) AND a.attname = c AND am.amname = 'btree' AND i.indpred IS NULL) "
        "ORDER BY n",
        {"columns": list(columns), "t": t.as_string(conn)},
    ).fetchall()
    for (column,) in missing:
        conn.execute(sql.SQL("CREATE INDEX ON {} ({})").format(t, sql.Identifier(column)))
