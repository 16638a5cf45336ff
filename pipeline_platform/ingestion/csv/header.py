"""The header row of a landing CSV: decoded, cleaned and checked before any byte reaches COPY.

Column names become quoted Postgres identifiers, so a header that Postgres would silently mangle
(a name over 63 bytes is truncated; an empty one is a syntax error) or that cannot be mapped one to
one (duplicates, a file in another encoding or with another delimiter) is refused here with the
file, line 1 and the reason, instead of surfacing later as a baffling SQL error or a wrong column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipeline_platform.ingestion.validate_columns import name_problem

OTHER_DELIMITERS = (";", "\t", "|")
SIGNATURES = {b"\xff\xfe": "UTF-16 (byte order mark FF FE)", b"\xfe\xff": "UTF-16 (byte order mark FE FF)",
              b"\x1f\x8b": "gzip-compressed", b"PK\x03\x04": "a zip archive (an .xlsx workbook?)"}


class CsvFormatError(ValueError):
    """A landing file that cannot be loaded; the message names the file, the line and the cause."""


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        kind = next((what for magic, what in SIGNATURES.items() if raw.startswith(magic)), None)
        why = f"the file looks {kind}" if kind else f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        raise CsvFormatError(f"{path.name}: line 1: header is not valid UTF-8 ({why}); save the file as UTF-8 CSV") from None


def check_names(where: str, header: list[str]) -> list[str]:
    """Stripped column names, or ``CsvFormatError`` naming the first unusable one."""
    names = [name.strip() for name in header]
    for i, name in enumerate(names, 1):
        if not name:
            raise CsvFormatError(f"{where}: column {i} of the header has no name (a trailing or doubled delimiter?)")
        if why := name_problem(name):
            raise CsvFormatError(f"{where}: column {i} of the header: {why}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise CsvFormatError(f"{where}: duplicate column name(s) {repeated} in header {names}")
    return names


def delimiter_hint(where: str, header: list[str], known) -> None:
    """A one-column header holding ``;``, tab or ``|`` is a file with another delimiter."""
    if len(header) == 1 and header[0] not in known:
        used = [d for d in OTHER_DELIMITERS if d in header[0]]
        if used:
            raise CsvFormatError(f"{where}: the header {header[0]!r} looks {used[0]!r}-delimited; "
                                 "landing files must be comma-separated")


def read_header(path: Path) -> tuple[list[str], int, int]:
    """Header columns, byte offset where data starts, and how many physical lines the header spans."""
    with path.open("rb") as fh:
        raw = fh.readline()
        lines = 1
        while (text := _decode(path, raw)).count('"') % 2 and (more := fh.readline()):  # quoted newline in a name
            raw += more
            lines += 1
    if not text.strip():
        why = "file is empty (no header row)" if not text else "the header row is blank"
        raise CsvFormatError(f"{path.name}: line 1: {why}")
    header = next(csv.reader(io.StringIO(text)), None) or []
    return check_names(f"{path.name}: line 1", header), len(raw), lines
