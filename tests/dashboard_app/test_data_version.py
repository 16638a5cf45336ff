"""The platform's data version, computed from the warehouse: what changes it and what does not.

Tables dbt rebuilds (a new relation swapped in by rename) change it by their identity alone; tables
written in place (incremental models, snapshots, sources) change it by their rows; reading, or
Postgres' own maintenance (VACUUM, ANALYZE), never does. A missing relation means "not built yet".
"""

from __future__ import annotations

import psycopg

from pipeline_platform.dashboard.verify import data_version

SWAPPED, IN_PLACE = '"dv"."swapped"', '"dv"."in place"'


def version(url: str) -> str | None:
    with psycopg.connect(url) as conn:
        return data_version(conn, [SWAPPED, IN_PLACE], [IN_PLACE])


def run(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def test_data_version_changes_with_rebuilds_and_in_place_writes_only(clean_warehouse):
    url = clean_warehouse
    run(url, "DROP SCHEMA IF EXISTS dv CASCADE", "CREATE SCHEMA dv", 'CREATE TABLE dv."in place" (id int)')
    assert version(url) is None  # dv.swapped is not built yet

    run(url, "CREATE TABLE dv.swapped AS SELECT 1 AS id")
    built = version(url)
    assert built is not None and version(url) == built

    run(url, 'VACUUM ANALYZE dv.swapped', 'VACUUM ANALYZE dv."in place"', 'SELECT count(*) FROM dv."in place"')
    assert version(url) == built  # maintenance and reads change nothing

    run(url, 'INSERT INTO dv."in place" VALUES (1), (2)')  # an incremental run
    inserted = version(url)
    assert inserted != built

    run(url, 'UPDATE dv."in place" SET id = id WHERE id = 2')  # same values, rewritten rows
    assert version(url) not in (built, inserted)
    updated = version(url)

    # dbt's table materialization: build a new table, swap it in by rename, drop the old one
    run(url, "CREATE TABLE dv.swapped__tmp AS SELECT 1 AS id", "ALTER TABLE dv.swapped RENAME TO swapped__old",
         "ALTER TABLE dv.swapped__tmp RENAME TO swapped", "DROP TABLE dv.swapped__old")
    assert version(url) not in (built, inserted, updated)
    run(url, "DROP SCHEMA dv CASCADE")
