"""Schema drift: what to do when a file header or API record brings columns nobody declared.

Sources change without notice. ``fail`` stops the load with the exact new names so a person decides;
``add_columns`` widens the table (``ALTER TABLE ... ADD COLUMN``) and keeps loading. Column types
come from the YAML, else from the existing table, else are inferred from sample values, so a
source needs no type list at all to get started.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pipeline_platform.ingestion.validate_columns import name_problem

INT = re.compile(r"^[+-]?\d{1,18}$")
NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


class SchemaDriftError(ValueError):
    """New or missing columns the source's drift policy does not allow."""


def planned_columns(spec, existing: dict[str, str]) -> dict[str, str | None]:
    """Initial column types: declared, else the table's; ``None`` means infer from data."""
    if not spec.columns:
        return dict(existing)
    return {c: t or existing.get(c) for c, t in spec.columns.items()}


def accept(spec, known: dict, fields, where: str) -> list[str]:
    """The fields of ``fields`` not in ``known``, if the drift policy allows them; raise otherwise."""
    new = [f for f in fields if f not in known]
    for name in new:  # every undeclared name passes here (CSV header, API field): refuse what SQL would mangle
        if why := name_problem(name):
            raise SchemaDriftError(f"{where}: {why}")
    if new and known and spec.schema_drift == "fail":
        raise SchemaDriftError(
            f"{where}: new column(s) {new} not declared for source '{spec.name}' (schema_drift: fail); "
            "declare them in sources.yaml or set schema_drift: add_columns"
        )
    return new


def _text_type(value: str) -> str:
    if INT.match(value):
        return "bigint"
    if NUM.match(value):
        return "numeric"
    if value.lower() in ("true", "false"):
        return "boolean"
    try:
        if DATE.match(value):
            date.fromisoformat(value)
            return "date"
        if STAMP.match(value):
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return "timestamptz"
    except ValueError:
        pass
    return "text"


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint" if abs(value) < 2**63 else "numeric"
    if isinstance(value, float):  # a JSON decimal: exact as numeric, as when it arrives as text
        return "numeric"
    if isinstance(value, (dict, list)):
        return "jsonb"
    return _text_type(value) if isinstance(value, str) else "text"


WIDEN = {frozenset({"bigint", "numeric"}): "numeric", frozenset({"date", "timestamptz"}): "timestamptz"}


def infer(values, from_json: bool = False) -> str:
    """The narrowest type that fits every non-empty sample value (``text`` when in doubt)."""
    found = None
    for value in values:
        if value is None or value == "":
            continue
        kind = _json_type(value) if from_json else _text_type(value)
        if found is None or found == kind:
            found = kind
        else:
            found = WIDEN.get(frozenset({found, kind}), "text")
    return found or "text"
