"""Turning a COPY rejection into "file, line, cause" a person can act on.

Postgres names the record by its COPY line and the cause in its own terms ("invalid byte sequence
for encoding UTF8: 0xe9"). People open the file in an editor, so the line must be the physical line
where the bad record starts, and the cause must say what to do ("save it as UTF-8").
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import psycopg

BAD_BYTES = re.compile(r'invalid byte sequence for encoding "UTF8": (0x[0-9a-f]{2})')
EOL_HINT = " (the file mixes line endings, or a line break sits outside quotes)"


def reader(text):
    """A ``csv.reader`` that accepts fields of any size (Postgres takes up to 1 GB per value)."""
    csv.field_size_limit(2**31 - 1)
    return csv.reader(text)


def physical_line(path: Path, offset: int, header_lines: int, copy_line: int) -> int:
    """File line where the record that COPY reports as ``copy_line`` starts.

    We send COPY the whole file with ``HEADER true``, so its count is the file's physical line
    (quoted newlines included) where the bad record *ends*; walk back to where that record starts.
    A quote left open runs to the end of the file, so then the last record's start is the answer.
    """
    end = copy_line + header_lines - 1
    start = last = header_lines + 1
    with path.open("rb") as fh:
        fh.seek(offset)
        records = reader(io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline=""))
        try:
            for _ in records:
                stop = header_lines + records.line_num
                if stop >= end:
                    return start
                start, last = stop + 1, start
        except csv.Error:
            return min(start, end)
    return min(last, end)


def reason_of(exc: psycopg.Error) -> str:
    """COPY's complaint in words that say what is wrong with the file."""
    reason = (exc.diag.message_primary or str(exc)).strip()
    if bad := BAD_BYTES.search(reason):
        if bad.group(1) == "0x00":
            return "a NUL byte (0x00), which Postgres text cannot hold; remove it from the file"
        return f"not valid UTF-8 ({reason.split(': ', 1)[1]}); the file looks Latin-1 or Windows-1252: save it as UTF-8"
    if reason.startswith(("unquoted newline", "unquoted carriage return")):
        return reason + EOL_HINT
    if isinstance(exc, psycopg.errors.NotNullViolation) and exc.diag.column_name:
        return f"primary key column {exc.diag.column_name!r} is empty"
    return reason
