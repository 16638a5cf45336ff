"""``full_refresh``: build the complete new table beside the old one, then swap them with renames.

Readers see either the old rows or the new ones, never a half-loaded or empty table, and an extract
that returned zero rows fails instead of wiping the table. When views depend on the table (dbt's
staging layer), a rename would leave them pointing at the old relation, so the swap becomes
TRUNCATE + INSERT in the same transaction: equally atomic for readers, and the views survive.
"""

from __future__ import annotations

from psycopg import sql

from pipeline_platform.ingestion.load.stage import Stage, column_defs, ident_list
from pipeline_platform.ingestion.load.table import LOADER_COLUMNS, existing_columns, target


class EmptyRefreshError(RuntimeError):
    """A full refresh read no rows; the existing table is kept."""


def _has_dependents(conn, table: str, schema: str) -> bool:
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
        "WHERE d.refobjid = to_regclass(%s) AND r.ev_class <> d.refobjid)",
        (target(table, schema).as_string(conn),),
    ).fetchone()
    return bool(row[0])


def swap(conn, spec, stage: Stage, load_id: int) -> dict:
    table, new, old = spec.table, f"{spec.table}__new", f"{spec.table}__old"
    schema = sql.Identifier(spec.schema)
    old_cols = existing_columns(conn, table, spec.schema)
    columns = {**old_cols, **stage.columns}
    pk = list(spec.primary_key)
    pk_sql = (
        sql.SQL(", CONSTRAINT {} PRIMARY KEY ({})").format(sql.Identifier(f"{new}_pkey"), ident_list(pk)) if pk else sql.SQL("")
    )
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(target(new, spec.schema)))
    conn.execute(sql.SQL("CREATE TABLE {} ({}{})").format(target(new, spec.schema), column_defs({**columns, **LOADER_COLUMNS}), pk_sql))
    names = ident_list(stage.columns)
    distinct = sql.SQL("DISTINCT ON ({}) ").format(ident_list(pk)) if pk else sql.SQL("")
    order = sql.SQL(" ORDER BY {}, ctid DESC").format(ident_list(pk)) if pk else sql.SQL("")
    rows = conn.execute(
        sql.SQL("INSERT INTO {} ({}, _load_id) SELECT {}{}, {} FROM {}{}").format(  # no %s: see apply.append
            target(new, spec.schema), names, distinct, names, sql.Literal(load_id), stage.ident, order
        ),
    ).rowcount
    if rows == 0:
        raise EmptyRefreshError(f"full_refresh of {spec.schema}.{table} read 0 rows; the existing table was kept")
    replaced = 0
    if old_cols:
        replaced = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target(table, spec.schema))).fetchone()[0]
    if old_cols and _has_dependents(conn, table, spec.schema):
        every = ident_list(columns)
        conn.execute(sql.SQL("TRUNCATE {}").format(target(table, spec.schema)))
        conn.execute(sql.SQL("INSERT INTO {} ({}, _load_id, _loaded_at) SELECT {}, _load_id, _loaded_at FROM {}").format(
            target(table, spec.schema), every, every, target(new, spec.schema)))
        conn.execute(sql.SQL("DROP TABLE {}").format(target(new, spec.schema)))
    else:
        if old_cols:
            conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(target(table, spec.schema), sql.Identifier(old)))
        conn.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(target(new, spec.schema), sql.Identifier(table)))
        if old_cols:
            conn.execute(sql.SQL("DROP TABLE {}").format(target(old, spec.schema)))
        if pk:
            conn.execute(sql.SQL("ALTER INDEX {}.{} RENAME TO {}").format(
                schema, sql.Identifier(f"{new}_pkey"), sql.Identifier(f"{table}_pkey")))
    return {"inserted": rows, "updated": 0, "deleted": 0, "replaced": replaced}
