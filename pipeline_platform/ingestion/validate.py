"""Field-by-field validation of one ``sources.yaml`` entry, each error naming file, entry and field.

A typo in YAML otherwise surfaces as a ``KeyError`` deep in a run; checking every field at load, and
rejecting unknown keys, turns it into one sentence a person can act on before anything runs.
"""

from __future__ import annotations

import re

from pipeline_platform.ingestion.load.table import SCHEMA
from pipeline_platform.ingestion.validate_columns import ColumnFields

COMMON = {"kind", "description", "owner", "primary_key", "columns", "load", "cursor", "soft_delete",
          "partitioned", "schema_drift", "duplicates", "expect_rows", "freshness", "schema", "indexes"}
NAME = re.compile(r"^[a-z_][a-z0-9_]{0,47}$")


class SourceConfigError(ValueError):
    """A source entry that cannot work; the message names file, entry and field."""


class Entry(ColumnFields):
    def __init__(self, path, name, raw):
        self.path, self.name, self.raw = path, name, raw

    def fail(self, field: str, why: str):
        raise SourceConfigError(f"{self.path}: source '{self.name}': field '{field}': {why}")

    def check_name(self):
        if not isinstance(self.raw, dict):
            self.fail("(entry)", "must be a mapping of fields")
        if not isinstance(self.name, str) or not NAME.match(self.name):
            self.fail("(name)", "source names must match [a-z_][a-z0-9_]*, at most 48 characters")

    def schema_name(self):
        """The schema the loader writes into (``raw`` unless the team's dbt sources live elsewhere)."""
        value = self.string("schema", default=SCHEMA)
        if not NAME.match(value):
            self.fail("schema", "schema names must match [a-z_][a-z0-9_]*, at most 48 characters")
        return value

    def check_keys(self, by_kind: dict[str, frozenset[str]]):
        """``by_kind``: each kind's own keys; a key no kind knows is unknown."""
        known = COMMON.union(*by_kind.values())
        for key in self.raw:
            if key not in known:
                self.fail(str(key), "unknown key")

    def forbid_other_kind(self, kind, by_kind: dict[str, frozenset[str]]):
        for key in self.raw:
            if key not in COMMON and key not in by_kind[kind]:
                self.fail(key, f"not valid for kind '{kind}'")

    def get(self, field, default=None, required=False):
        if self.raw.get(field) is None:
            if required:
                self.fail(field, "required")
            return default
        return self.raw[field]

    def string(self, field, default=None, required=False):
        value = self.get(field, default, required)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.fail(field, f"must be a non-empty string, got {value!r}")
        return value

    def choice(self, field, options, default=None, required=False):
        value = self.get(field, default, required)
        if value not in options:
            self.fail(field, f"must be one of {', '.join(options)}; got {value!r}")
        return value

    def boolean(self, field, default):
        value = self.get(field, default)
        if not isinstance(value, bool):
            self.fail(field, f"must be true or false, got {value!r}")
        return value

    def mapping(self, field):
        value = self.get(field, {})
        if not isinstance(value, dict):
            self.fail(field, "must be a mapping")
        return dict(value)
