"""CSV extracts: check every file's header against the declared columns, then COPY them all.

All headers are read before the first byte is copied, so a missing column or a drift the policy
forbids fails the run before any work is done; new columns the policy allows are typed (declared,
existing, or inferred from every value of this extract's files, so no value of the first load is
changed by its type) and added to the stage up front. Primary-key columns are NOT NULL in the stage
too, so an empty key fails at its own file line, not later in the upsert.
"""

from __future__ import annotations

import io
from pathlib import Path

from psycopg import sql

from pipeline_platform.ingestion import drift
from pipeline_platform.ingestion.csv.errors import reader
from pipeline_platform.ingestion.csv.header import CsvFormatError, delimiter_hint, read_header
from pipeline_platform.ingestion.csv.stream import copy_file
from pipeline_platform.ingestion.load.direct import DirectSink


def infer_types(path: Path, offset: int, positions: dict[str, int], found: dict) -> dict[str, str]:
    """Types of the undeclared columns at ``positions`` from every data record of the file."""
    with path.open("rb") as fh:
        fh.seek(offset)
        text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline="")
        return drift.infer_records(reader(text), positions, found)


def _require_keys(stage, spec) -> None:
    if isinstance(stage, DirectSink):
        return  # the target's PRIMARY KEY already refuses NULLs
    for key in spec.primary_key:
        if key in stage.columns:
            stage.conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL").format(stage.ident, sql.Identifier(key)))


def extract(spec, existing: dict, files: list[Path], make_sink):
    """Plan columns from every header, then ``make_sink(columns)`` and COPY each file into it."""
    known = drift.planned_columns(spec, existing)
    inferred: dict[str, str] = {}  # typed from this extract's values: later files may still widen them
    plans = []
    for path in files:
        header, offset, lines = read_header(path)
        where = f"{path.name}: line 1"
        delimiter_hint(where, header, known)
        missing = [c for c in spec.columns if c not in header]
        if missing:
            raise CsvFormatError(f"{where}: header lacks declared column(s) {missing}; header is {header}")
        new = drift.accept(spec, known, header, where)
        known.update({c: existing[c] for c in new if existing.get(c)})
        untyped = {c: i for i, c in enumerate(header)
                   if (c in new or known.get(c) is None or c in inferred) and not existing.get(c)}
        if untyped:
            inferred.update(infer_types(path, offset, untyped, inferred))
            known.update(inferred)
        plans.append((path, header, offset, lines))
    stage = make_sink({c: t or "text" for c, t in known.items()})
    if spec.load != "append":
        _require_keys(stage, spec)
    for path, header, offset, lines in plans:
        copy_file(stage, path, header, offset, lines)
    return stage
