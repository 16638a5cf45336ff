"""Validation of the column-related fields of a source entry: columns, keys, partitioning, freshness.

These fields feed SQL (types are spliced into DDL, so they must look like type names) and Dagster
policies (durations), so each is checked and normalized at load, with the field named on failure.
"""

from __future__ import annotations

import re
from datetime import timedelta

TYPE = re.compile(r"^[a-z][a-z0-9_ ]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])?$")
DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
MAX_NAME_BYTES = 63  # NAMEDATALEN - 1: Postgres silently truncates longer names


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a column name (used for YAML, CSV headers and API fields), or None."""
    size, shown = len(name.encode("utf-8")), repr(name[:40]) + ("..." if len(name) > 40 else "")
    if not name or "\x00" in name:
        return f"column name {shown} is empty or contains a NUL character"
    if size > MAX_NAME_BYTES:
        return f"column name {shown} is {size} bytes, longer than {MAX_NAME_BYTES} bytes (Postgres would truncate it)"
    return None


class ColumnFields:
    """Mixin for ``validate.Entry``: columns, primary key, cursor, partitioning, freshness."""

    def columns(self) -> dict:
        value = self.mapping("columns")
        for col, type_ in value.items():
            if not isinstance(col, str) or not col:
                self.fail("columns", f"column names must be non-empty strings, got {col!r}")
            if why := name_problem(col):
                self.fail("columns", why)
            if type_ is not None and not (isinstance(type_, str) and TYPE.match(type_.strip().lower())):
                self.fail(f"columns.{col}", f"not a Postgres type name: {type_!r}")
        return {c: t.strip() if t else None for c, t in value.items()}

    def column_ref(self, field, columns):
        value = self.string(field)
        if value is not None and columns and value not in columns:
            self.fail(field, f"'{value}' is not one of the declared columns")
        return value

    def column_list(self, field, columns) -> tuple:
        """A list of column names (each a declared column when columns are declared)."""
        value = self.get(field, [])
        if not isinstance(value, list) or not all(isinstance(c, str) and c for c in value):
            self.fail(field, "must be a list of column names")
        self._declared(field, value, columns)
        return tuple(dict.fromkeys(value))

    def primary_key(self, load, columns) -> tuple:
        value = self.get(field := "primary_key", [], required=load == "upsert")
        keys = [value] if isinstance(value, str) else value
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            self.fail(field, "must be a column name or a list of column names")
        if load == "upsert" and not keys:
            self.fail(field, "an upsert needs at least one primary key column")
        self._declared(field, keys, columns)
        return tuple(keys)

    def _declared(self, field, names, columns) -> None:
        """Each of ``names`` is a declared column, when columns are declared."""
        for name in names:
            if columns and name not in columns:
                self.fail(field, f"'{name}' is not one of the declared columns")

    def partitioned(self, load) -> bool:
        value = self.get("partitioned", "daily")
        if value not in ("daily", "none", False):
            self.fail("partitioned", f"must be 'daily' or 'none', got {value!r}")
        if value == "daily" and load == "full_refresh":
            self.fail("partitioned", "a full_refresh replaces the whole table; declare it partitioned: none")
        return value == "daily"

    def duration(self, field, value) -> timedelta:
        match = DURATION.match(str(value).strip())
        if not match:
            self.fail(field, f"must be a duration like 90m, 26h or 2d, got {value!r}")
        return timedelta(**{UNITS[match.group(2)]: float(match.group(1))})

    def freshness(self):
        value = self.mapping("freshness")
        for key in set(value) - {"fail_window", "warn_window"}:
            self.fail(f"freshness.{key}", "unknown key (use fail_window, warn_window)")
        if value and "fail_window" not in value:
            self.fail("freshness.fail_window", "required when freshness is set")
        return {k: self.duration(f"freshness.{k}", d) for k, d in value.items()} or None
