"""Asset checks every raw table gets: primary key unique and not null, and rows where promised.

They run in the load's own step, right after the commit, so a bad load is flagged in the same run
that caused it. When the table carries a PRIMARY KEY constraint on exactly the declared key, both key
checks hold by construction and are reported as such without scanning a million rows.
"""

from __future__ import annotations

import dagster as dg
from psycopg import sql

from pipeline_platform.ingestion.stage import ident_list


def specs(spec, key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    found = []
    if spec.primary_key:
        cols = ", ".join(spec.primary_key)
        found.append(dg.AssetCheckSpec("primary_key_unique", asset=key, description=f"({cols}) is unique"))
        found.append(dg.AssetCheckSpec("primary_key_not_null", asset=key, description=f"({cols}) has no nulls"))
    if spec.expect_rows:
        found.append(dg.AssetCheckSpec("has_rows", asset=key, description="The source returned rows for the loaded window"))
    return found


def _enforced(conn, schema, table, pk) -> bool:
    row = conn.execute(
        "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary",
        (sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table)).as_string(conn),),
    ).fetchone()
    return row[0] == sorted(pk)


def evaluate(conn, spec, target, rows_read: int, row_count: int) -> list[dg.AssetCheckResult]:
    results = []
    if spec.primary_key:
        keys = ident_list(spec.primary_key)
        if _enforced(conn, spec.schema, spec.table, spec.primary_key):
            dupes = nulls = 0
            how = "enforced by the PRIMARY KEY constraint"
        else:
            dupes = conn.execute(sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} GROUP BY {} HAVING count(*) > 1) d")
                                 .format(target, keys)).fetchone()[0]
            any_null = sql.SQL(" OR ").join(sql.SQL("{} IS NULL").format(sql.Identifier(c)) for c in spec.primary_key)
            nulls = conn.execute(sql.SQL("SELECT count(*) FROM {} WHERE {}").format(target, any_null)).fetchone()[0]
            how = "counted"
        results.append(dg.AssetCheckResult(check_name="primary_key_unique", passed=dupes == 0,
                                           metadata={"duplicate_keys": dupes, "how": how}))
        results.append(dg.AssetCheckResult(check_name="primary_key_not_null", passed=nulls == 0,
                                           metadata={"null_keys": nulls, "how": how}))
    if spec.expect_rows:
        passed = row_count > 0 and (rows_read > 0 or not spec.partitioned)
        results.append(dg.AssetCheckResult(check_name="has_rows", passed=passed,
                                           metadata={"rows_read": rows_read, "table_rows": row_count}))
    return results
