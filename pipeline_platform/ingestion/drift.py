"""Schema drift: what to do when a file header or API record brings columns nobody declared.

Sources change without notice. ``fail`` stops the load with the exact new names so a person decides;
``add_columns`` widens the table (``ALTER TABLE ... ADD COLUMN``) and keeps loading. Column types
come from the YAML, else from the existing table, else are inferred from sample values, so a
source needs no type list at all to get started. Inference never changes a value: a column becomes a
number, date or boolean only when every sampled value is already written the way Postgres writes that
type back (``01234``, ``+5``, `` 7``, ``1,000``, ``1e3`` or ``True`` would come back different, so such
a column stays ``text``), and a timestamp only with an explicit UTC offset, so the instant is the one sent.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pipeline_platform.ingestion.validate_columns import name_problem

# Canonical spellings only (ASCII digits, no sign but '-', no leading zero, no surrounding space):
# exactly the text Postgres gives back for the value, so storing it typed loses nothing.
INT = re.compile(r"-?(0|[1-9][0-9]*)")
NUM = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})")
BIGINT = range(-(2**63), 2**63)


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
    """The type that stores ``value`` without changing its text, else ``text``."""
    if INT.fullmatch(value) and value != "-0":
        return "bigint" if int(value) in BIGINT else "numeric"
    if NUM.fullmatch(value) and not (value[0] == "-" and value.strip("-0.") == ""):  # Postgres has no -0.0
        return "numeric"
    if value in ("true", "false"):
        return "boolean"
    try:
        if DATE.fullmatch(value):
            date.fromisoformat(value)
            return "date"
        if STAMP.fullmatch(value):
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


def _widen(found: str | None, kind: str) -> str:
    return kind if found is None or found == kind else WIDEN.get(frozenset({found, kind}), "text")


def infer(values, from_json: bool = False) -> str:
    """The narrowest type that fits every non-empty sample value (``text`` when in doubt)."""
    found = None
    for value in values:
        if value is None or value == "":
            continue
        found = _widen(found, _json_type(value) if from_json else _text_type(value))
    return found or "text"


# What a column typed from earlier values can become without changing any value already in it:
# those values were canonical (see _text_type), so their text form is the text that arrived.
RETYPE_EXACTLY = {("bigint", "numeric"), *((kind, "text") for kind in ("bigint", "numeric", "boolean", "date"))}
CHECKED = {"bigint", "numeric", "boolean", "date", "timestamptz"}  # text and jsonb hold any JSON value


def retype_target(old: str, wider: str) -> str | None:
    """The type a column of ``old`` values becomes for values that need ``wider``; None: none exact."""
    return wider if (old, wider) in RETYPE_EXACTLY else "text" if (old, "text") in RETYPE_EXACTLY else None


def widened(records: list[dict], current: dict[str, str]) -> dict[str, str]:
    """JSON records' fields (of ``current``, the types inferred so far) that need a wider type."""
    found = {}
    for name, kind in current.items():
        if kind not in CHECKED:
            continue
        wider = kind
        for record in records:
            value = record.get(name)
            if value is not None and value != "":
                wider = _widen(wider, _json_type(value))
                if wider == "text":
                    break
        if wider != kind:
            found[name] = wider
    return found


def infer_records(records, positions: dict[str, int], found: dict[str, str | None] | None = None) -> dict[str, str]:
    """Types of the text columns at ``positions`` over every record (one pass, which ends as soon as
    all of them are ``text``), widened from ``found`` (types already inferred from earlier files)."""
    found = {name: (found or {}).get(name) for name in positions}
    open_ = {name: i for name, i in positions.items() if found[name] != "text"}
    for record in records:
        for name, i in list(open_.items()):
            value = record[i] if i < len(record) else ""
            if value != "":
                found[name] = _widen(found[name], _text_type(value))
                if found[name] == "text":
                    del open_[name]
        if not open_:
            break
    return {name: kind or "text" for name, kind in found.items()}
