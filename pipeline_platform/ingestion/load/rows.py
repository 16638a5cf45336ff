"""JSON records to COPY text-format bytes, with the per-value work done in C.

Formatting decides the API load's overhead over a bare fetch. First choice: orjson serializes the
page's rows as one array, and whole-page replaces turn that into COPY text. Its output proves when this is exact: no backslash means no value needed
escaping (no tab, line break, quote or backslash), no brace and one bracket per row mean no nested
values, and one comma per value boundary means no string holds a comma. Then only strings are
quoted and ``null`` is only ever a whole value. Second choice, for a page with commas in its text:
one ``%``-template per record, exact when the body has no backslash and no ``None``/``True``/``False``
for the replaces to touch. Any other page (missing fields, json columns) takes the per-value path.
"""

from __future__ import annotations

import json
from operator import itemgetter

import orjson

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNSAFE = (b"None", b"True", b"False")
_TABS = bytes.maketrans(b",", b"\t")


def _text(v) -> str:
    if v is None:
        return "\\N"
    if v is True or v is False:
        return "true" if v else "false"
    if v.__class__ is not str:
        v = str(v) if v.__class__ in (int, float) else json.dumps(v)
    return v.translate(_ESCAPE)


def _json_text(v) -> str:
    return "\\N" if v is None else json.dumps(v).translate(_ESCAPE)


def careful(records: list[dict], columns: list[str], json_columns=frozenset()) -> bytes:
    """Every record, every column: absent fields are NULL; nested values, and every value of a
    json column, are JSON text; each value escaped for COPY's text format."""
    encode = [_json_text if c in json_columns else _text for c in columns]
    return "".join(["\t".join([f(r.get(c)) for f, c in zip(encode, columns)]) + "\n" for r in records]).encode()


class Formatter:
    """Formats pages for one fixed column list."""

    def __init__(self, columns: list[str], types: dict[str, str], records_field: str = "data"):
        # objects around the records list: none when the body is the list itself (records_field ".")
        self.depth = 0 if records_field == "." else records_field.count(".") + 1
        self.columns, self.width = columns, len(columns)
        self.getter = itemgetter(*columns) if len(columns) > 1 else (lambda r, c=columns[0]: (r[c],))
        self.template = "\t".join(["%s"] * len(columns)) + "\n"
        self.json = frozenset(c for c in columns if "json" in (types.get(c) or ""))

    def __call__(self, records: list[dict], body: bytes) -> bytes:
        if not self.json:
            try:
                rows = list(map(self.getter, records))
            except KeyError:  # a record lacks a field: only the careful path fills NULLs
                rows = None
            if rows and (text := self._serialized(rows)) is not None:
                return text
            if rows is not None and b"\\" not in body and self._flat(records, body) and not any(u in body for u in _UNSAFE):
                text = "".join(map(self.template.__mod__, rows))
                return text.replace("None", "\\N").replace("True", "true").replace("False", "false").encode()
        return careful(records, self.columns, self.json)

    def _serialized(self, rows: list[tuple]) -> bytes | None:
        """orjson's ``[[v,v],[v,v]]`` as COPY text, or None when the checks above fail."""
        try:
            out = orjson.dumps(rows)
        except TypeError:  # an integer past 64 bits
            return None
        if b"\\" in out or b"{" in out or out.count(b"[") != len(rows) + 1 or out.count(b",") != len(rows) * self.width - 1:
            return None
        out = out.replace(b",null", b",\\N").replace(b"[null", b"[\\N")  # before quotes go: "null" is text
        return out[2:-2].replace(b"],[", b"\n").translate(_TABS, b'"') + b"\n"

    def _flat(self, records: list[dict], body: bytes) -> bool:
        """No nested objects or arrays in the records: only the envelope's braces and one array."""
        return body.count(b"{") <= len(records) + self.depth and body.count(b"[") == 1
