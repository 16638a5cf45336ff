"""Issue 20: inferring a column's type never changes a value, for CSV and API sources alike.

A zip code ``01234`` stored as ``bigint`` comes back as ``1234``, and the leading zero is gone for
good. So a column is typed only when Postgres gives every sampled value back as the same text; each
typed verdict here is checked against a real cast, and whole loads with no declared types keep
``01234``-style values as the exact text that arrived.
"""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest

from pipeline_platform.ingestion import drift
from tests.ingestion.conftest import failure_message

DAY = "2026-09-01"
CAST_CHANGES = ["01234", "00501", "+5", " 7", "7 ", "1e3", "1.", ".5", "-0", "-0.00", "007.5", "True", "FALSE"]
CHANGED_BY_A_TYPE = [*CAST_CHANGES, "1,000", "\u0663", "7\n", "2026-9-1", "2026-09-01T10:00", "2026-09-01 10:00:00",
                     "2026-09-01T10:00:00.1234567Z", "NaN", "Infinity"]
KEPT_BY_A_TYPE = {"0": "bigint", "-12": "bigint", "90210": "bigint", str(2**63): "numeric", "1.50": "numeric",
                  "-0.05": "numeric", "0.0": "numeric", "true": "boolean", "false": "boolean", "2026-09-01": "date",
                  "2026-09-01T10:00:00Z": "timestamptz", "2026-09-01 10:00:00.5+02:00": "timestamptz"}


@pytest.mark.parametrize("value", CHANGED_BY_A_TYPE)
def test_a_value_a_type_would_change_keeps_the_column_text(value):
    assert drift.infer(["12", value, "34"]) == "text"
    assert drift.infer([12, value, 34], from_json=True) == "text"


def test_a_typed_verdict_gives_back_the_same_text_or_instant(database_url):
    """Every typed verdict, checked against Postgres itself: the cast gives the text back unchanged."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        for value, kind in KEPT_BY_A_TYPE.items():
            assert drift.infer([value]) == kind, value
            back = conn.execute(f"SELECT %s::{kind}::text, %s::{kind}", (value, value)).fetchone()
            if kind == "timestamptz":  # the instant is kept; its rendering follows the session time zone
                assert back[1] == datetime.fromisoformat(value.replace("Z", "+00:00")), value
            else:
                assert back[0] == value, (value, back[0])
        for value in CAST_CHANGES:  # and the refused ones really would change under a cast
            kind = "boolean" if value.lower() in ("true", "false") else "numeric"
            assert conn.execute(f"SELECT %s::{kind}::text", (value,)).fetchone()[0] != value, value


def test_csv_zip_codes_with_no_declared_types_load_unchanged(platform):
    (platform.landing / "zips").mkdir()
    (platform.landing / "zips" / f"zips_{DAY}.csv").write_text(
        "id,zip,signed,spaced,grouped\n1,01234,+5, 7,\"1,000\"\n2,00501,+6, 8,\"2,500\"\n3,90210,-7,9 ,12\n")
    assets = platform.sources({"zips": {"kind": "csv", "landing_glob": "zips/zips_*.csv", "primary_key": ["id"],
                                        "schema_drift": "add_columns"}})
    result = platform.materialize(assets, partition_key=DAY)
    assert result.success
    assert platform.rows("zips", "id") == [(1, "01234", "+5", " 7", "1,000"), (2, "00501", "+6", " 8", "2,500"),
                                           (3, "90210", "-7", "9 ", "12")]


def test_api_zip_codes_with_no_declared_types_load_unchanged(platform, fault_server):
    fault_server.records = [{"id": 1, "zip": "01234", "code": "+5", "updated_at": "2026-09-01T10:00"},
                            {"id": 2, "zip": "00501", "code": "12", "updated_at": "2026-09-01T11:00"}]
    assets = platform.sources({"zips": {"kind": "api", "base_url": fault_server.url, "endpoint": "/things",
                                        "pagination": {"style": "page", "page_size": 10}, "primary_key": ["id"],
                                        "schema_drift": "add_columns"}})
    result = platform.materialize(assets, partition_key=DAY)
    assert result.success
    assert platform.rows("zips", "id") == [("+5", 1, "2026-09-01T10:00", "01234"),  # API fields in name order
                                           ("12", 2, "2026-09-01T11:00", "00501")]


def test_a_late_value_in_a_big_file_or_a_later_file_still_keeps_the_column_text(platform):
    """Not a sample: every value of the first load's files decides, wherever it sits."""
    (platform.landing / "zips").mkdir()
    rows = "".join(f"{i},{10000 + i}\n" for i in range(1, 2001))  # 2,000 plain numbers first
    (platform.landing / "zips" / f"zips_{DAY}.csv").write_text(f"id,zip\n{rows}2001,01234\n")
    (platform.landing / "zips" / f"zips_{DAY}_b.csv").write_text("id,code\n3001,7\n")
    (platform.landing / "zips" / f"zips_{DAY}_c.csv").write_text("id,code\n3002,007\n")  # a later file
    assets = platform.sources({"zips": {"kind": "csv", "landing_glob": "zips/zips_*.csv", "primary_key": ["id"],
                                        "schema_drift": "add_columns"}})
    assert platform.materialize(assets, partition_key=DAY).success
    got = dict((r[0], r[1:]) for r in platform.rows("zips", "id"))
    assert got[2001] == ("01234", None) and got[1] == ("10001", None)
    assert (got[3001], got[3002]) == ((None, "7"), (None, "007"))
    assert platform.scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                           "WHERE attrelid = 'raw.zips'::regclass AND attname = 'id'") == "bigint"


def test_api_values_on_later_pages_widen_the_column_instead_of_changing(platform, fault_server):
    """Page 1 types a column; a later page's 01234 turns it into text, and page 1's values stay as sent."""
    at = "2026-09-01T10:00:00+00:00"
    fault_server.records = [{"id": i, "zip": str(10000 + i), "qty": i, "day": "2026-09-01", "updated_at": at}
                            for i in range(1, 5)]
    fault_server.records += [{"id": 5, "zip": "01234", "qty": 2.5, "day": "2026-09-01T12:00:00Z", "updated_at": at},
                             {"id": 6, "zip": "7", "qty": 3, "day": "2026-09-02", "updated_at": at}]
    assets = platform.sources({"zips": {"kind": "api", "base_url": fault_server.url, "endpoint": "/things",
                                        "pagination": {"style": "page", "page_size": 2}, "primary_key": ["id"],
                                        "schema_drift": "add_columns"}})
    result = platform.materialize(assets, partition_key=DAY)
    assert result.success, failure_message(result)
    rows = {r[1]: r for r in platform.rows("zips", "id")}  # day, id, qty, updated_at, zip (name order)
    assert [rows[i][4] for i in range(1, 7)] == ["10001", "10002", "10003", "10004", "01234", "7"]
    assert [str(rows[i][2]) for i in range(1, 7)] == ["1", "2", "3", "4", "2.5", "3"]  # bigint widened to numeric
    assert [rows[i][0] for i in (1, 5, 6)] == ["2026-09-01", "2026-09-01T12:00:00Z", "2026-09-02"]  # date -> text


def test_api_timestamp_column_refuses_a_later_value_it_would_change(platform, fault_server):
    at = "2026-09-01T10:00:00+00:00"
    fault_server.records = [{"id": 1, "seen": "2026-09-01T10:00:00Z", "updated_at": at},
                            {"id": 2, "seen": "yesterday", "updated_at": at}]
    assets = platform.sources({"zips": {"kind": "api", "base_url": fault_server.url, "endpoint": "/things",
                                        "pagination": {"style": "page", "page_size": 1}, "primary_key": ["id"],
                                        "schema_drift": "add_columns"}})
    result = platform.materialize(assets, partition_key=DAY)
    assert not result.success
    assert "field 'seen' was typed timestamptz from earlier pages" in failure_message(result)
    assert platform.scalar("SELECT to_regclass('raw.zips')") is None
