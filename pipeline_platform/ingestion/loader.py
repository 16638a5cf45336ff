"""Bulk loading into Postgres: COPY into an UNLOGGED staging table, then one transaction applies it.

Staging first means a malformed file or a dropped connection leaves the target table exactly as it
was; the upsert only touches rows whose cursor moved, so reruns are idempotent.
"""

from __future__ import annotations

from psycopg import sql


def ensure_table(conn, schema: str, table: str, columns: dict[str, str], primary_key: list[str]) -> None:
    cols = [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in columns.items()]
    cols += [sql.SQL("_load_id bigint"), sql.SQL("_loaded_at timestamptz NOT NULL DEFAULT now()")]
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    conn.execute(
        sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({}, PRIMARY KEY ({}))").format(
            sql.Identifier(schema), sql.Identifier(table), sql.SQL(", ").join(cols),
            sql.SQL(", ").join(map(sql.Identifier, primary_key)),
        )
    )


def copy_and_upsert(conn, schema, table, columns, primary_key, cursor, chunks, load_id) -> dict:
    """Stream ``chunks`` (CSV bytes, header excluded) through COPY and upsert; returns counts."""
    stage = sql.Identifier(f"_stage_{table}")
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    conn.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP").format(stage, target))
    with conn.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(stage, names)) as copy:
        for chunk in chunks:
            copy.write(chunk)
    rows_read = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(stage)).fetchone()[0]
    non_key = [c for c in columns if c not in primary_key]
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in [*non_key, "_load_id", "_loaded_at"]
    )
    result = conn.execute(
        sql.SQL(
            "INSERT INTO {t} ({n}, _load_id) SELECT DISTINCT ON ({pk}) {n}, %s FROM {s} ORDER BY {pk}, {c} DESC "
            "ON CONFLICT ({pk}) DO UPDATE SET {u} WHERE {t}.{c} < EXCLUDED.{c} "
            "RETURNING (xmax = 0) AS inserted"
        ).format(
            t=target, n=names, s=stage, pk=sql.SQL(", ").join(map(sql.Identifier, primary_key)),
            c=sql.Identifier(cursor), u=updates,
        ),
        [load_id],
    ).fetchall()
    inserted = sum(1 for (ins,) in result if ins)
    return {"rows_read": rows_read, "inserted": inserted, "updated": len(result) - inserted, "deleted": 0}
