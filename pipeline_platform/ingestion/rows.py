"""JSON records to COPY text-format bytes, with the per-value work done by C string formatting.

Formatting is the loader's only per-value Python work, so it decides the API load's overhead over a
bare fetch. The fast path formats a page with one ``%``-template per record and fixes ``None`` and
booleans with three whole-page replaces. That is exact when the raw body shows it can be: JSON
escapes every tab, line break and backslash inside a string, so a body without a backslash has no
value COPY would need escaped, and a body without ``None``/``True``/``False`` has no string those
replaces could touch. Any other page (nested values, missing fields, json columns, such strings)
takes the per-value path, which escapes each value itself.
"""

from __future__ import annotations

import json
from operator import itemgetter

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNSAFE = (b"\\", b"None", b"True", b"False")


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
        self.columns, self.depth = columns, records_field.count(".") + 1
        self.getter = itemgetter(*columns) if len(columns) > 1 else (lambda r, c=columns[0]: (r[c],))
        self.template = "\t".join(["%s"] * len(columns)) + "\n"
        self.json = frozenset(c for c in columns if "json" in (types.get(c) or ""))

    def __call__(self, records: list[dict], body: bytes) -> bytes:
        if not self.json and self._flat(records, body) and not any(u in body for u in _UNSAFE):
            try:
                text = "".join(map(self.template.__mod__, map(self.getter, records)))
            except KeyError:  # a record lacks a field: only the careful path fills NULLs
                pass
            else:
                return text.replace("None", "\\N").replace("True", "true").replace("False", "false").encode()
        return careful(records, self.columns, self.json)

    def _flat(self, records: list[dict], body: bytes) -> bool:
        """No nested objects or arrays in the records: only the envelope's braces and one array."""
        return body.count(b"{") <= len(records) + self.depth and body.count(b"[") == 1
