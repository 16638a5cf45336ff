"""The pure builders behind API loads: decoding a body exactly, and choosing a page's COPY formatting.

``test_api_values`` proves the values in Postgres; these pin which path each kind of page takes, so a
change that quietly sends every page down the slow path, or a risky page down a fast one, shows here.
"""

from __future__ import annotations

import json

import pytest

from pipeline_platform.ingestion import drift
from pipeline_platform.ingestion.api import json_body
from pipeline_platform.ingestion.load.rows import Formatter, careful

COLUMNS = {"id": "bigint", "name": "text", "price": "numeric", "flag": "boolean"}


def page(*records: dict) -> tuple[list[dict], bytes]:
    body = json.dumps({"data": list(records)}).encode()
    return json_body.loads(body)["data"], body


def test_flat_page_is_serialized_by_orjson_with_nulls_and_quotes_resolved():
    records, body = page({"id": 1, "name": "null", "price": 0.5, "flag": True},
                         {"id": 2, "name": "", "price": None, "flag": None})
    formatter = Formatter(list(COLUMNS), COLUMNS)
    assert formatter._serialized([formatter.getter(r) for r in records]) is not None
    assert formatter(records, body) == b"1\tnull\t0.5\ttrue\n2\t\t\\N\t\\N\n"


@pytest.mark.parametrize("name", ["a,b", "[x]", "{y}", "tab\there", 'say "hi"'])
def test_a_value_orjson_cannot_carry_takes_another_path_with_the_same_result(name):
    records, body = page({"id": 1, "name": name, "price": 2.25, "flag": False}, {"id": 2, "name": "x", "price": 1, "flag": True})
    formatter = Formatter(list(COLUMNS), COLUMNS)
    assert formatter._serialized([formatter.getter(r) for r in records]) is None
    assert formatter(records, body) == careful(records, list(COLUMNS))


def test_integer_past_64_bits_is_not_serialized_but_kept():
    records, body = page({"id": 2**70, "name": "x", "price": 1, "flag": True})
    formatter = Formatter(list(COLUMNS), COLUMNS)
    assert formatter._serialized([formatter.getter(r) for r in records]) is None
    assert formatter(records, body).startswith(f"{2**70}\t".encode())


def test_numbers_decode_exactly_whichever_parser_reads_them():
    assert json_body.loads(b'{"a": 0.1, "b": 61.00, "c": 1e-5}') == {"a": 0.1, "b": 61.0, "c": 1e-05}
    assert json_body.loads(b'{"a": 12345678901234567.89}') == {"a": "12345678901234567.89"}
    assert json_body.loads(b'{"a": 1180591620717411303424}') == {"a": 1180591620717411303424}
    assert json_body.loads(b'{"a": NaN, "b": 1e400}') == {"a": "NaN", "b": "1e400"}
    with pytest.raises(ValueError, match="Expecting"):
        json_body.loads(b'{"a": [1, 2')


def test_a_decimal_infers_numeric_from_either_parser():
    assert drift.infer([1.5, 2], True) == drift.infer(["1.5", 2], True) == "numeric"
