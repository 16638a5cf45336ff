"""JSON records to CSV text for COPY, as fast as pure Python allows.

Formatting is the loader's only per-value Python work, so it decides the API load's overhead over a
bare fetch. The fast path hands whole pages to the C ``csv`` writer; it is exact unless a page holds
an empty string (which COPY would read as NULL) or a nested value, which a cheap scan of the raw
body detects, and then that page takes the careful per-value path instead.
"""

from __future__ import annotations

import csv
import io
import json
from operator import itemgetter


def _cell(v) -> str:
    if v is None:
        return ""
    if v.__class__ is str:
        return '"' + v.replace('"', '""') + '"'
    if v is True or v is False:
        return "true" if v else "false"
    if v.__class__ is int:
        return str(v)
    return '"' + json.dumps(v).replace('"', '""') + '"'


def careful(records: list[dict], columns: list[str]) -> bytes:
    """Exact for every value: strings always quoted (so '' stays ''), None unquoted (NULL).

    Rows end in \r\n like the fast path's: COPY fixes the line ending at its first line and rejects
    a page that switches ("unquoted newline found in data")."""
    return "".join([",".join([_cell(r.get(c)) for c in columns]) + "\r\n" for r in records]).encode()


class Formatter:
    """Formats pages for one fixed column list."""

    def __init__(self, columns: list[str], types: dict[str, str], records_field: str = "data"):
        self.columns, self.depth = columns, records_field.count(".") + 1
        self.getter = itemgetter(*columns) if len(columns) > 1 else (lambda r, c=columns[0]: (r[c],))
        self.fast = not any("json" in (types.get(c) or "") for c in columns)

    def __call__(self, records: list[dict], body: bytes) -> bytes:
        if self.fast and b'""' not in body and self._flat(records, body):
            buffer = io.StringIO()
            try:
                csv.writer(buffer).writerows(map(self.getter, records))  # \r\n ends: fields with \r or \n get quoted
            except KeyError:  # a record lacks a field: only the careful path fills NULLs
                return careful(records, self.columns)
            return buffer.getvalue().encode()
        return careful(records, self.columns)

    def _flat(self, records: list[dict], body: bytes) -> bool:
        """No nested objects or arrays in the records: only the envelope's braces and one array."""
        return body.count(b"{") <= len(records) + self.depth and body.count(b"[") == 1
