"""CSV landing files streamed straight into COPY, never through a DataFrame.

Reading a whole file into pandas caps the platform at RAM; streaming bytes keeps memory flat and
lets Postgres do the parsing it is fastest at. The header is checked here so a renamed column fails
with the file's name rather than as a COPY error about the wrong field.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

CHUNK = 1 << 20


class CsvFormatError(ValueError):
    """A landing file that cannot be loaded; the message names the file and the cause."""


def files_for_days(root: Path, glob: str, first: date, last: date) -> list[Path]:
    """Landing files whose name carries a day in ``[first, last]`` (dated file names)."""
    wanted = {(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)}
    return sorted(p for p in root.glob(glob) if any(day in p.name for day in wanted))


def read_header(path: Path, expected: list[str]) -> int:
    """Validate the header row; return the byte offset where data starts."""
    with path.open("rb") as fh:
        first = fh.readline()
    text = first.decode("utf-8-sig").rstrip("\r\n")
    header = next(csv.reader(io.StringIO(text)), [])
    if header != expected:
        raise CsvFormatError(f"{path.name}: line 1: header {header} does not match declared columns {expected}")
    return len(first)


def stream_body(path: Path, offset: int):
    with path.open("rb") as fh:
        fh.seek(offset)
        while chunk := fh.read(CHUNK):
            yield chunk
