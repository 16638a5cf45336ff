"""API values arrive in Postgres exactly as the JSON said, on both formatting paths.

Pages reach COPY as rows through psycopg's text-format writer: flat pages as they are, pages with a
json column or nested values record by record. Each path must keep an empty string apart from null,
keep tabs, line breaks and backslashes, write booleans as JSON spells them, and keep decimals exact.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.ingestion.conftest import failure_message

DAY = "2026-09-01"
AT = f"{DAY}T10:00:00+00:00"
TRICKY_TEXT = ["", None, "tab\there", "line\nbreak\r\nand \\N backslash", 'quote " and, comma', "Zoë 🚀 ✓"]


def entry(url: str, columns: dict) -> dict:
    return {"kind": "api", "base_url": url, "endpoint": "/things", "pagination": {"style": "page", "page_size": 4},
            "primary_key": ["thing_id"], "cursor": "updated_at", "columns": {"thing_id": "bigint", **columns,
                                                                               "updated_at": "timestamptz"}}


def run(platform, server, records: list[dict], columns: dict) -> list[tuple]:
    server.records = [{"thing_id": i, **r, "updated_at": AT} for i, r in enumerate(records, 1)]
    result = platform.materialize(platform.sources({"things": entry(server.url, columns)}), partition_key=DAY)
    assert result.success, failure_message(result)
    return [row[1:-1] for row in platform.rows("things", "thing_id")]


@pytest.mark.parametrize("flag_first", [True, False])
def test_flat_pages_keep_every_value(platform, fault_server, flag_first):
    """No json column and no nested value: the fast path, across several pages."""
    prices = ["12.30", "0.05", "-7.00", 100.0, None, "3"] * 2  # decimals as strings, as most APIs send them
    notes = [True, False, "12.30", 12, "", None] * 2
    records = [{"name": name, "price": price, "flag": (i % 2 == 0) == flag_first, "note": note}
               for i, (name, price, note) in enumerate(zip(TRICKY_TEXT * 2, prices, notes))]
    rows = run(platform, fault_server, records, {"name": "text", "price": "numeric(12,2)", "flag": "boolean", "note": "text"})
    assert [r[0] for r in rows] == TRICKY_TEXT * 2
    assert [r[1] for r in rows] == [Decimal(p) if p else None for p in ["12.30", "0.05", "-7.00", "100.00", None, "3.00"] * 2]
    assert [r[2] for r in rows] == [(i % 2 == 0) == flag_first for i in range(12)]
    assert [r[3] for r in rows] == ["true", "false", "12.30", "12", "", None] * 2


def test_nested_values_and_json_columns(platform, fault_server):
    """A jsonb column takes every value as JSON; a nested value in a text column arrives as JSON text."""
    metas = [{"a": [1, 2], "b": "x\ty"}, [1, "two"], "plain", 5, None, True]
    notes = [{"k": "v"}, ["a", "b\nc"], "", None, "tab\there", False]
    rows = run(platform, fault_server, [{"meta": m, "note": n} for m, n in zip(metas, notes)],
               {"meta": "jsonb", "note": "text"})
    assert [r[0] for r in rows] == metas
    assert [r[1] for r in rows] == ['{"k": "v"}', '["a", "b\\nc"]', "", None, "tab\there", "false"]


def test_orjson_pages_keep_every_value(platform, fault_server):
    """Pages without escapes go through orjson both ways; a 17-digit decimal and an integer past 64
    bits send their page through the standard library instead. Either way every value is exact."""
    names = ["null", "None", "", None, "True", "Zoë 🚀 ✓", "a,b", "[x] {y}", "long", "big", "false", "0"]
    prices = [0.1, "raw:0.00001", 100.0, "raw:61.00", "raw:1e3", -7.5, None, 2.25,
              "raw:12345678901234567.89", 1, "raw:-0.0", 3]
    bigs = [1, None, -5, 0, 2**62, 7, 8, 9, 10, "raw:1180591620717411303424", 11, 12]
    flags = [True, False, None, True] * 3
    records = [{"name": n, "price": p, "big": b, "flag": f} for n, p, b, f in zip(names, prices, bigs, flags)]
    rows = run(platform, fault_server, records, {"name": "text", "price": "numeric", "big": "numeric", "flag": "boolean"})
    assert [r[0] for r in rows] == names
    assert [r[1] for r in rows] == [Decimal(p[4:]) if isinstance(p, str) else None if p is None else Decimal(str(p))
                                    for p in prices]
    assert str(rows[8][1]) == "12345678901234567.89"
    assert [r[2] for r in rows] == [Decimal(b[4:]) if isinstance(b, str) else b for b in bigs]
    assert [r[3] for r in rows] == flags
