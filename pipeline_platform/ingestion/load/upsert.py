"""The upsert: one ``INSERT ... ON CONFLICT`` that counts what it inserted, updated and soft-deleted.

Only rows whose cursor moved forward and whose values differ are rewritten (``IS DISTINCT FROM``),
so a rerun rewrites nothing. The rows that would not change are dropped before the INSERT, by one
join of the stage with the table: ``ON CONFLICT ... DO UPDATE ... WHERE`` locks every conflicting
row even when its WHERE is false, which writes every page of a full table for a file that changed
10% of it. With the stage analyzed (below) and no sort for a file without repeated keys, a 1M-row
file into a full 1M-row table, 10% changed, went from ~4.2 s to ~1.9 s (bench csv-upsert). The ``DO
UPDATE ... WHERE`` keeps the same test, so a row changed by someone else in between is still judged
against its current version. The counts come from the same statement: a data-modifying CTE reads the
table's pre-statement snapshot, so joining its RETURNING rows back to the table shows each row's old
soft-delete state without a second pass over the stage. So do the extract's repeated keys: the pass
that picks each key's newest row also counts the rows tied with it (same key and cursor), which only
the order of the file decided between (``checks.py``).
"""

from __future__ import annotations

from psycopg import sql

from pipeline_platform.ingestion.load.stage import Stage, ident_list
from pipeline_platform.ingestion.load.table import target

TIES = "_pipeline_ties"
NO_EQUALITY = {"json", "xml", "point", "line", "lseg", "box", "path", "polygon", "circle"}  # the column of the source rows counting each kept row's ties


def is_set(expr: sql.Composable) -> sql.Composable:
    """A soft-delete field counts as set when non-null and not boolean false."""
    return sql.SQL("({0} IS NOT NULL AND {0}::text NOT IN ('false', 'f'))").format(expr)


def comparable(template: sql.SQL, column: str, type_: str) -> sql.Composable:
    """The column as an expression ``IS DISTINCT FROM`` can compare: types with no ``=`` (json, xml,
    geometric types, which a database source copies as themselves) are compared as their text."""
    expr = template.format(sql.Identifier(column))
    return sql.SQL("{}::text").format(expr) if type_.split("(")[0].split("[")[0] in NO_EQUALITY else expr


def rewrites(spec, stage: Stage, non_key: list[str], old: str, new: str) -> sql.Composable:
    """Whether the row ``new`` (the file's) must replace the row ``old`` (the table's): its cursor
    moved forward (when there is one) and some value differs."""
    differs = sql.SQL("ROW({}) IS DISTINCT FROM ROW({})").format(
        sql.SQL(", ").join(comparable(sql.SQL(f"{old}.{{}}"), c, stage.columns[c]) for c in non_key),
        sql.SQL(", ").join(comparable(sql.SQL(f"{new}.{{}}"), c, stage.columns[c]) for c in non_key),
    )
    if not spec.cursor:
        return differs
    return sql.SQL("({0}.{2} IS NULL OR {0}.{2} < {1}.{2}) AND {3}").format(
        sql.SQL(old), sql.SQL(new), sql.Identifier(spec.cursor), differs)


def upsert(conn, spec, stage: Stage, load_id: int) -> dict:
    cols = list(stage.columns)
    pk = list(spec.primary_key)
    t, names, keys = target(spec.table, spec.schema), ident_list(cols), ident_list(pk)
    order = [sql.SQL("{} DESC NULLS LAST").format(sql.Identifier(spec.cursor))] if spec.cursor else []
    non_key = [c for c in cols if c not in pk]
    # The pre-filter: rows new to the table, or that the conflict action would rewrite.
    wanted = sql.SQL("o.{} IS NULL").format(sql.Identifier(pk[0]))  # a primary key column is never null
    if non_key:
        sets = sql.SQL(", ").join(
            sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in [*non_key, "_load_id", "_loaded_at"]
        )
        action = sql.SQL("DO UPDATE SET {} WHERE {}").format(sets, rewrites(spec, stage, non_key, "t", "EXCLUDED"))
        wanted = sql.SQL("{} OR ({})").format(wanted, rewrites(spec, stage, non_key, "o", "src"))
    else:
        action = sql.SQL("DO NOTHING")
    soft = sql.Identifier(spec.soft_delete) if spec.soft_delete and spec.soft_delete in cols else None
    returning = sql.SQL("RETURNING {}, (xmax = 0) AS _ins, {} AS _del").format(
        keys, is_set(sql.SQL("t.{}").format(soft)) if soft else sql.SQL("false")
    )
    deleted = (
        sql.SQL("count(*) FILTER (WHERE _del AND NOT coalesce({}, false))").format(is_set(sql.SQL("o.{}").format(soft)))
        if soft else sql.SQL("0")
    )
    join = sql.SQL("LEFT JOIN {} o USING ({})").format(t, keys) if soft else sql.SQL("")
    identity = [*pk, *([spec.cursor] if spec.cursor else [])]
    ties = sql.Identifier(TIES)
    # Statistics for the stage, which autovacuum never sees (a TEMP table): without them the planner
    # takes the deduplicated file for 200 rows and probes the primary key once per row (1M probes:
    # ~1.8 s) instead of one hash join with the table.
    conn.execute(sql.SQL("ANALYZE {}").format(stage.ident))
    # Picking each key's newest row sorts the whole file twice and keeps it in memory (~1.3 s for
    # 1M rows); one hash aggregate over the keys (~0.45 s) tells whether any key repeats at all, and
    # a file without repeated keys (the usual extract) is its own newest rows, read once.
    repeats = conn.execute(sql.SQL("SELECT EXISTS (SELECT FROM {} GROUP BY {} HAVING count(*) > 1)").format(
        stage.ident, keys)).fetchone()[0]
    if repeats:
        source = sql.SQL("src AS MATERIALIZED (SELECT DISTINCT ON ({k}) {n}, count(*) OVER (PARTITION BY {ident}) "
                         "AS {ties} FROM {s} ORDER BY {order})")
        tied = sql.SQL("(SELECT count(*) FROM src WHERE {ties} > 1), "
                       "(SELECT coalesce(sum({ties} - 1), 0) FROM src WHERE {ties} > 1), "
                       "ARRAY(SELECT row({ident})::text FROM src WHERE {ties} > 1 ORDER BY {ties} DESC, 1 LIMIT 3)")
    else:  # read once, straight from the stage
        source, tied = sql.SQL("src AS (SELECT {n} FROM {s})"), sql.SQL("0, 0, ARRAY[]::text[]")
    query = sql.SQL(
        "WITH {source}, "
        "up AS (INSERT INTO {t} AS t ({n}, _load_id) SELECT {src_n}, {load_id} FROM src "
        "LEFT JOIN {t} o USING ({k}) WHERE {wanted} "
        "ON CONFLICT ({k}) {action} {returning}), "
        "done AS (SELECT count(*) FILTER (WHERE _ins) AS i, count(*) FILTER (WHERE NOT _ins) AS u, {deleted} AS d "
        "FROM up {join}) "
        "SELECT i, u, d, {tied} FROM done"
    ).format(
        source=source.format(k=keys, n=names, ident=ident_list(identity), ties=ties, s=stage.ident,
                             order=sql.SQL(", ").join([keys, *order, sql.SQL("ctid DESC")])),
        tied=tied.format(ties=ties, ident=ident_list(identity)),
        t=t, n=names, k=keys,
        action=action, returning=returning, deleted=deleted, join=join, load_id=sql.Literal(load_id),
        wanted=wanted, src_n=sql.SQL(", ").join(sql.SQL("src.{}").format(sql.Identifier(c)) for c in cols),
    )
    # No query parameters: a column named "%(load_id)s" or "100%s" would be parsed as a placeholder.
    inserted, updated, deleted_n, keys_n, rows_n, examples = conn.execute(query).fetchone()
    duplicates = {"duplicate_rows": int(rows_n), "duplicate_keys": keys_n, "examples": examples, "identity": identity}
    return {"inserted": inserted, "updated": updated, "deleted": deleted_n, "duplicates": duplicates}
