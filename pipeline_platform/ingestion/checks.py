"""Asset checks every raw table gets: primary key unique and not null, and rows where promised.

They run in the load's own step, right after the commit, so a bad load is flagged in the same run
that caused it. When the table carries a PRIMARY KEY constraint on exactly the declared key, both key
checks hold by construction and are reported as such without scanning a million rows. A key the
extract itself repeats is counted in the load's transaction (the last row wins, silently, otherwise):
a warn-severity check by default, a failed load that writes nothing under ``duplicates: fail``. With
a ``cursor``, rows of one key at different cursor values are versions (the newest wins, as
declared), so only rows tied on the cursor too count; an upsert counts the ties of the version it
keeps, in the statement that picks it (``upsert.py``).
"""

from __future__ import annotations

import dagster as dg
from psycopg import sql

from pipeline_platform.ingestion.load.table import target
from pipeline_platform.ingestion.load.stage import ident_list


def specs(spec, key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    found = []
    if spec.primary_key:
        cols = ", ".join(spec.primary_key)
        found.append(dg.AssetCheckSpec("primary_key_unique", asset=key, description=f"({cols}) is unique"))
        found.append(dg.AssetCheckSpec("primary_key_not_null", asset=key, description=f"({cols}) has no nulls"))
        found.append(dg.AssetCheckSpec("extract_keys_unique", asset=key,
                                       description=f"No ({cols}) repeats within one extract (the last row wins)"))
    if spec.expect_rows:
        found.append(dg.AssetCheckSpec("has_rows", asset=key, description="The source returned rows for the loaded window"))
    return found


def _enforced(conn, schema, table, pk) -> bool:
    row = conn.execute(
        "SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = to_regclass(%s) AND i.indisprimary",
        (target(table, schema).as_string(conn),),
    ).fetchone()
    return row[0] == sorted(pk)


NO_DUPLICATES = {"duplicate_rows": 0, "duplicate_keys": 0, "examples": []}


class DuplicateKeyError(ValueError):
    """The extract repeats a primary key and the source says ``duplicates: fail``."""


def _identity(spec, columns) -> list[str]:
    """What makes two rows the same record: the key, and the cursor where it orders versions
    (a full refresh keeps each key's last row whatever its cursor)."""
    versions = spec.cursor in columns and spec.load != "full_refresh"
    return [*spec.primary_key, *([spec.cursor] if versions else [])]


def extract_duplicates(conn, spec, rows: sql.Composable, columns) -> dict:
    """Rows of ``rows`` (a table, or a filtered subquery, with ``columns``) repeating the key (and
    cursor) of another row, for appends and full refreshes (the upsert counts its own ties)."""
    if not spec.primary_key:
        return NO_DUPLICATES
    identity = _identity(spec, columns)
    keys = ident_list(identity)
    found = conn.execute(sql.SQL(
        "SELECT count(*) OVER (), sum(n - 1) OVER (), row({keys})::text FROM "
        "(SELECT {keys}, count(*) AS n FROM {rows} GROUP BY {keys} HAVING count(*) > 1) d ORDER BY n DESC, 3 LIMIT 3"
    ).format(keys=keys, rows=rows)).fetchall()
    if not found:
        return NO_DUPLICATES
    return {"duplicate_rows": int(found[0][1]), "duplicate_keys": found[0][0], "examples": [r[2] for r in found],
            "identity": identity}


def refuse_duplicates(spec, where: str, found: dict) -> None:
    """Under ``duplicates: fail``, a repeated key fails the load (inside its transaction: nothing is written)."""
    if spec.duplicates == "fail" and found["duplicate_rows"]:
        what = "primary key and cursor" if len(found["identity"]) > len(spec.primary_key) else "primary key"
        raise DuplicateKeyError(
            f"{spec.schema}.{spec.table}: {where}: {found['duplicate_rows']} row(s) repeat the {what} "
            f"({', '.join(found['identity'])}) "
            f"of another row in this extract ({found['duplicate_keys']} key(s), "
            f"e.g. {', '.join(found['examples'])}); duplicates: fail loads nothing. Remove the repeats at the "
            "source, or set duplicates: last_wins to keep the last row of each key"
        )


def evaluate(conn, spec, target, rows_read: int, row_count: int, duplicates: dict) -> list[dg.AssetCheckResult]:
    results = []
    if spec.primary_key:
        results.append(dg.AssetCheckResult(
            check_name="extract_keys_unique", passed=duplicates["duplicate_rows"] == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"duplicate_rows": duplicates["duplicate_rows"], "duplicate_keys": duplicates["duplicate_keys"],
                      "examples": ", ".join(duplicates["examples"]) or "none", "policy": spec.duplicates}))
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
