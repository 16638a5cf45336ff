"""CSV landing files streamed straight into COPY, never through a DataFrame or Python row objects.

Reading a whole file into pandas caps the platform at RAM; streaming bytes keeps memory flat and
lets Postgres do the parsing it is fastest at. Only the header (and, for undeclared column types, a
small sample) is parsed in Python. When COPY rejects a row, Postgres reports the record number; we
translate it back to the file's physical line (header and quoted newlines included) and the cause
to plain words, because "line N of accounts_2025-03-04.csv is Latin-1" is what a person can fix.
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

from pipeline_platform.ingestion.csv.errors import physical_line, reason_of
from pipeline_platform.ingestion.csv.header import CsvFormatError

CHUNK = 1 << 20
COPY_LINE = re.compile(r"COPY [^,]+, line (\d+)")


def _stream(fh, copy) -> None:
    """Write the file to COPY, dropping blank lines at its very end (editors and exports add them)."""
    held = b""
    while chunk := fh.read(CHUNK):
        chunk = held + chunk
        body = chunk.rstrip(b"\r\n")
        if body:
            copy.write(body)
        held = chunk[len(body):]
    if held:
        copy.write(held[:2] if held.startswith(b"\r\n") else held[:1])


def copy_file(stage, path: Path, columns: list[str], offset: int, header_lines: int) -> None:
    """Stream the file's data bytes into the stage; on a COPY error raise with file line and reason."""
    try:
        with stage.copy(columns, header=True) as copy, path.open("rb") as fh:
            _stream(fh, copy)
    except psycopg.errors.UniqueViolation:
        raise  # a repeated key on the direct path: the caller retries through the stage
    except psycopg.Error as exc:
        context = exc.diag.context or ""
        match = COPY_LINE.search(context)
        if not match:
            raise CsvFormatError(f"{path.name}: {reason_of(exc)}") from exc
        where = physical_line(path, offset, header_lines, int(match.group(1)))
        column = re.search(r"column (.+?):", context)
        detail = f" (column {column.group(1)})" if column else ""
        raise CsvFormatError(f"{path.name}: line {where}: {reason_of(exc)}{detail}") from exc
