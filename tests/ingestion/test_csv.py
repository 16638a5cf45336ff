"""CSV landing files: BOM, quoted newlines, bad rows reported by file line, schema drift, hostile names."""

from __future__ import annotations

import dagster as dg
import psycopg

from tests.ingestion.conftest import failure_message, metadata_of

HEADER = "customer_id,name,email,country,signup_date,updated_at"
COLUMNS = {"customer_id": "bigint", "name": "text", "email": "text", "country": "text",
           "signup_date": "date", "updated_at": "timestamptz"}


def entry(**over) -> dict:
    return {"kind": "csv", "landing_glob": "customers/customers_*.csv", "primary_key": ["customer_id"],
            "cursor": "updated_at", "columns": COLUMNS, **over}


def land(platform, day: str, text: str, bom: bool = False) -> None:
    folder = platform.landing / "customers"
    folder.mkdir(exist_ok=True)
    (folder / f"customers_{day}.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())


DAY1 = (
    f"{HEADER}\n"
    '1,"Ada ""the first"" Lovelace",ada@example.com,GB,2026-09-01,2026-09-01T10:00:00+00:00\n'
    '2,"Multi\nline, name",bob@example.com,DE,2026-09-01,2026-09-01T11:00:00+00:00\n'
    "3,Émile,emile@example.com,FR,2026-09-01,2026-09-01T12:00:00+00:00\n"
)


def test_csv_with_bom_quotes_and_newlines_loads_and_reports(platform):
    land(platform, "2026-09-01", DAY1, bom=True)
    assets = platform.sources({"customers": entry()})
    result = platform.materialize(assets, partition_key="2026-09-01")
    assert result.success, failure_message(result)
    rows = platform.rows("customers")
    assert [r[1] for r in rows] == ['Ada "the first" Lovelace', "Multi\nline, name", "Émile"]
    meta = metadata_of(result, dg.AssetKey(["raw", "customers"]))
    assert (meta["dagster/row_count"], meta["rows_read"], meta["inserted"], meta["updated"]) == (3, 3, 3, 0)
    assert "Lovelace" in meta["preview"]
    load = platform.last_load("customers")
    assert (load["status"], load["partition_key"], load["rows_read"], load["inserted"]) == ("success", "2026-09-01", 3, 3)
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"primary_key_unique": True, "primary_key_not_null": True, "extract_keys_unique": True, "has_rows": True}
    rerun = platform.materialize(assets, partition_key="2026-09-01")
    assert metadata_of(rerun, dg.AssetKey(["raw", "customers"]))["updated"] == 0
    assert platform.rows("customers") == rows


def _fails_on_line(platform, assets, day: str, text: str, line: int, reason: str) -> None:
    before = platform.rows("customers")
    land(platform, day, text, bom=True)
    result = platform.materialize(assets, partition_key=day)
    assert not result.success
    message = failure_message(result)
    assert f"customers_{day}.csv: line {line}:" in message, message
    assert reason in message, message
    assert platform.rows("customers") == before
    load = platform.last_load("customers")
    assert load["status"] == "failed" and f"line {line}" in load["error"]


def test_bad_row_fails_naming_the_file_line_and_nothing_is_committed(platform):
    land(platform, "2026-09-01", DAY1)
    assets = platform.sources({"customers": entry()})
    assert platform.materialize(assets, partition_key="2026-09-01").success
    # Line 2 is fine and changes customer 1; the record on lines 3-4 has a quoted newline; line 5 has an extra field.
    bad_count = (
        f"{HEADER}\n"
        "1,Ada,ada@new.example.com,GB,2026-09-01,2026-09-02T10:00:00+00:00\n"
        '4,"Two\nlines",d@example.com,NL,2026-09-02,2026-09-02T10:00:00+00:00\n'
        "5,Eve,eve@example.com,SE,2026-09-02,2026-09-02T11:00:00+00:00,surplus\n"
    )
    _fails_on_line(platform, assets, "2026-09-02", bad_count, 5, "extra data after last expected column")
    bad_value = (
        f"{HEADER}\n"
        '4,"Two\nlines\nhere",d@example.com,NL,2026-09-02,2026-09-02T10:00:00+00:00\n'
        "5,Eve,eve@example.com,SE,2026-09-02,2026-09-02T11:00:00+00:00\n"
        "six,Sam,sam@example.com,SE,2026-09-02,2026-09-02T11:00:00+00:00\n"
    )
    _fails_on_line(platform, assets, "2026-09-02", bad_value, 6, "invalid input syntax for type bigint")
    missing = f"{HEADER}\n7,Kim,kim@example.com,KR,2026-09-02\n"
    _fails_on_line(platform, assets, "2026-09-02", missing, 2, "missing data for column")
    # CRLF line ends, and the bad record itself spans lines 3-5: report where it starts.
    crlf = (
        f"{HEADER}\r\n"
        "8,Ola,ola@example.com,NO,2026-09-02,2026-09-02T08:00:00+00:00\r\n"
        '9,"Three\r\nline\r\nname",n@example.com,NO,2026-09-02,2026-09-02T08:00:00+00:00,extra\r\n'
    )
    _fails_on_line(platform, assets, "2026-09-02", crlf, 3, "extra data after last expected column")


def test_new_column_with_drift_policy_fail_stops_with_a_clear_error(platform):
    land(platform, "2026-09-01", DAY1)
    assets = platform.sources({"customers": entry(schema_drift="fail")})
    assert platform.materialize(assets, partition_key="2026-09-01").success
    before = platform.rows("customers")
    land(platform, "2026-09-02", f"{HEADER},vip\n9,Vi,vi@example.com,IT,2026-09-02,2026-09-02T09:00:00+00:00,true\n")
    result = platform.materialize(assets, partition_key="2026-09-02")
    assert not result.success
    message = failure_message(result)
    assert "customers_2026-09-02.csv" in message and "['vip']" in message and "schema_drift: fail" in message
    assert platform.rows("customers") == before


def test_new_column_with_drift_policy_add_columns_widens_the_table(platform):
    land(platform, "2026-09-01", DAY1)
    assets = platform.sources({"customers": entry(schema_drift="add_columns")})
    assert platform.materialize(assets, partition_key="2026-09-01").success
    land(platform, "2026-09-02", f"vip,{HEADER}\ntrue,9,Vi,vi@example.com,IT,2026-09-02,2026-09-02T09:00:00+00:00\n")
    result = platform.materialize(assets, partition_key="2026-09-02")
    assert result.success, failure_message(result)
    assert platform.scalar("SELECT data_type FROM information_schema.columns WHERE table_schema='raw' "
                           "AND table_name='customers' AND column_name='vip'") == "boolean"
    assert platform.scalar("SELECT vip FROM raw.customers WHERE customer_id = 9") is True
    assert platform.scalar("SELECT count(*) FROM raw.customers WHERE vip IS NULL") == 3


def test_header_missing_a_declared_column_fails(platform):
    land(platform, "2026-09-01", "customer_id,name\n1,Ada\n")
    result = platform.materialize(platform.sources({"customers": entry()}), partition_key="2026-09-01")
    assert not result.success
    assert "lacks declared column(s)" in failure_message(result)


def test_hostile_column_name_is_loaded_as_a_column_and_drops_nothing(platform):
    hostile = 'x"; drop table raw.orders; --'
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS raw; CREATE TABLE raw.orders (order_id bigint)")
        conn.execute("INSERT INTO raw.orders VALUES (1)")
    header = f'{HEADER},"{hostile.replace(chr(34), chr(34) * 2)}"'
    land(platform, "2026-09-01", f'{header}\n1,Ada,a@example.com,GB,2026-09-01,2026-09-01T10:00:00+00:00,"boom"\n')
    declared = platform.sources({"customers": entry(columns={**COLUMNS, hostile: "text"})})
    result = platform.materialize(declared, partition_key="2026-09-01")
    assert result.success, failure_message(result)
    assert platform.rows("customers")[0][-1] == "boom"
    drifted = platform.sources({"customers": entry(schema_drift="add_columns")}, name="drift.yaml")
    with psycopg.connect(platform.url, autocommit=True) as conn:
        conn.execute("DROP TABLE raw.customers")
    result = platform.materialize(drifted, partition_key="2026-09-01")
    assert result.success, failure_message(result)
    assert platform.scalar("SELECT count(*) FROM raw.orders") == 1
    assert platform.scalar("SELECT count(*) FROM information_schema.columns WHERE table_name='customers' "
                           "AND column_name = %s", (hostile,)) == 1


def test_table_name_metadata_names_the_database_the_load_connected_to(database_url, tmp_path, landing):
    """No database name is spelled in code: a warehouse database called anything shows up as such."""
    from tests.ingestion.conftest import Platform
    from tests.reliability.live_env import fresh_database

    platform = Platform(fresh_database(database_url, "sales_dwh"), tmp_path, landing)
    land(platform, "2026-09-01", DAY1)
    result = platform.materialize(platform.sources({"customers": entry()}), partition_key="2026-09-01")
    assert result.success, failure_message(result)
    assert metadata_of(result, dg.AssetKey(["raw", "customers"]))["dagster/table_name"] == "sales_dwh.raw.customers"
