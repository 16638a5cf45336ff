"""CSV landing files streamed straight into COPY, never through a DataFrame or Python row objects.

Reading a whole file into pandas caps the platform at RAM; streaming bytes keeps memory flat and
lets Postgres do the parsing it is fastest at. Only the header (and, for undeclared column types, a
small sample) is parsed in Python. When COPY rejects a row, Postgres reports the record number; we
translate it back to the file's physical line (header and quoted newlines included), because "line
N of customers_2026-09-03.csv" is what a person can open and fix.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import psycopg

CHUNK = 1 << 20
DAY = re.compile(r"(\d{4}-\d{2}-\d{2})")
COPY_LINE = re.compile(r"COPY [^,]+, line (\d+)")


class CsvFormatError(ValueError):
    """A landing file that cannot be loaded; the message names the file, the line and the cause."""


def files_for_window(root: Path, glob: str, first: date | None, last: date | None) -> list[Path]:
    """Landing files whose dated name falls in ``[first, last]`` (all matching files when unbounded)."""
    found = []
    for path in root.glob(glob):
        match = DAY.search(path.name)
        if first is None or (match and first.isoformat() <= match.group(1) <= last.isoformat()):
            found.append(path)
    return sorted(found, key=lambda p: (DAY.search(p.name).group(1) if DAY.search(p.name) else "", p.name))


def read_header(path: Path) -> tuple[list[str], int, int]:
    """Header columns, byte offset where data starts, and how many physical lines the header spans."""
    with path.open("rb") as fh:
        raw = fh.readline()
        text = raw.decode("utf-8-sig")
        lines = 1
        while text.count('"') % 2 and (more := fh.readline()):  # a quoted header name with a newline
            raw += more
            text += more.decode("utf-8")
            lines += 1
    header = next(csv.reader(io.StringIO(text)), None)
    if not header or not any(h.strip() for h in header):
        raise CsvFormatError(f"{path.name}: line 1: missing header row")
    if len(set(header)) != len(header):
        raise CsvFormatError(f"{path.name}: line 1: duplicate column names in header {header}")
    return header, len(raw), lines


def physical_line(path: Path, offset: int, header_lines: int, copy_line: int) -> int:
    """File line where the record that COPY reports as ``copy_line`` starts.

    We send COPY the whole file with ``HEADER true``, so its count is the file's physical line
    (quoted newlines included) where the bad record *ends*; walk back to where that record starts.
    """
    end = copy_line + header_lines - 1
    with path.open("rb") as fh:
        fh.seek(offset)
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline=""))
        start = header_lines
        try:
            for _ in reader:
                if header_lines + reader.line_num >= end:
                    break
                start = header_lines + reader.line_num
        except csv.Error:
            pass
    return min(start + 1, end)


def copy_file(stage, path: Path, columns: list[str], offset: int, header_lines: int) -> None:
    """Stream the file's data bytes into the stage; on a COPY error raise with file line and reason."""
    try:
        with stage.copy(columns, header=True) as copy, path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                copy.write(chunk)
    except psycopg.errors.UniqueViolation:
        raise  # a repeated key on the direct path: the caller retries through the stage
    except psycopg.Error as exc:
        context = exc.diag.context or ""
        match = COPY_LINE.search(context)
        reason = (exc.diag.message_primary or str(exc)).strip()
        if not match:
            raise CsvFormatError(f"{path.name}: {reason}") from exc
        where = physical_line(path, offset, header_lines, int(match.group(1)))
        column = re.search(r"column (.+?):", context)
        detail = f" (column {column.group(1)})" if column else ""
        raise CsvFormatError(f"{path.name}: line {where}: {reason}{detail}") from exc
