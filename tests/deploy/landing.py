"""A landing CSV for any declared CSV source, built from its column types, for the deployed run.

Generated from ``sources.yaml`` rather than copied from a fixture so the run test keeps working
when the ingestion layer changes a source's columns.
"""

from __future__ import annotations

from pathlib import Path


def cell(column: str, type_: str | None, i: int, day: str) -> str:
    kind = (type_ or "text").lower()
    if kind.startswith(("bigint", "int", "smallint")):
        return str(i)
    if kind.startswith("numeric"):
        return f"{i}.50"
    if kind.startswith("timestamp"):
        return f"{day}T{i % 24:02d}:00:00+00:00"
    return day if kind.startswith("date") else f"{column}-{i}"


def land_csv(landing: Path, spec, day: str, rows: int) -> None:
    path = landing / spec.options.landing_glob.replace("*", day)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(spec.columns)]
    lines += [",".join(cell(c, t, i, day) for c, t in spec.columns.items()) for i in range(1, rows + 1)]
    path.write_text("\n".join(lines) + "\n")
