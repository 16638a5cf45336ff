"""Deterministic benchmark data, generated in the run so results never depend on a checked-in file.

Rows look like the demo's customers landing files (same columns and types) so the CSV cases load
through the real source configuration; a row number alone decides every value, so two runs of the
same size produce byte-identical files, and ``changed`` rewrites a fixed 10 % of them.
"""

from __future__ import annotations

from pathlib import Path

HEADER = "customer_id,name,email,country,signup_date,updated_at"
COLUMNS = {"customer_id": "bigint", "name": "text", "email": "text", "country": "text",
           "signup_date": "date", "updated_at": "timestamptz"}
COUNTRIES = ["GB", "DE", "FR", "NL", "US", "ES", "IT", "SE"]


def row(i: int, changed: bool = False) -> str:
    day = 1 + i % 28
    hour = 12 if changed else i % 12
    name = f"Nm{i}x" if changed else f"Nm{i}"
    return f"{i},{name},u{i}@ex.io,{COUNTRIES[i % 8]},2026-09-{day:02d},2026-10-{day:02d} {hour:02d}:00:00Z\n"


def write_csv(path: Path, rows: int, changed_every: int = 0) -> Path:
    """``rows`` records; with ``changed_every=10`` every 10th row has a newer cursor and a new name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER + "\n")
        chunk = []
        for i in range(1, rows + 1):
            chunk.append(row(i, bool(changed_every) and i % changed_every == 0))
            if len(chunk) == 20000:
                fh.write("".join(chunk))
                chunk.clear()
        fh.write("".join(chunk))
    return path
