"""Schema changes in the middle of an API extract: a field that vanishes, a value that changes type.

New fields are caught before COPY (``drift.accept``). A field every record carried until page N and
no record carries from page N is a removed field: under ``schema_drift: fail`` that stops the load
(silently loading NULLs would hide the change); ``add_columns`` loads those rows with NULLs. A value
that no longer fits its column (a number turned into an object) is found by Postgres during COPY;
counting each page's lines lets the error name the page, the field and the policy, not a COPY line.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from pipeline_platform.ingestion.drift import SchemaDriftError

COLUMN = re.compile(r"line (\d+), column (.+?): (.*)$", re.S)


class PageShape:
    """Follows one extract page by page; ``where`` is how errors name the request (``GET <url>``)."""

    def __init__(self, spec, where: str):
        self.spec, self.where = spec, where
        self.always: set[str] | None = None  # fields present in every record of every page so far
        self.ends: list[int] = []  # COPY line where each page of the current COPY ends
        self.numbers: list[int] = []

    def check(self, number: int, records: list[dict], fields: set[str]) -> None:
        """Refuse a page that drops fields every earlier record had (policy ``fail``), then remember."""
        if not records or self.spec.schema_drift != "fail":
            return  # add_columns loads a missing field as NULL: nothing to remember
        if self.always is not None and (gone := sorted(self.always - fields)):
            raise SchemaDriftError(
                f"{self.where} page {number}: field(s) {gone}, present in every record of "
                f"{'page 1' if number == 2 else f'pages 1-{number - 1}'}, "
                f"are missing from every record of this page; source '{self.spec.name}' has schema_drift: fail. "
                "Fix the source, or set schema_drift: add_columns to load such records with NULLs")
        uniform = sum(map(len, records)) == len(records) * len(fields)  # C speed: every record has every field
        common = fields if uniform else set(records[0]).intersection(*records[1:])
        self.always = common if self.always is None else self.always & common

    def restart(self) -> None:
        """A new COPY statement began: its line numbers start again at 1."""
        self.ends, self.numbers = [], []

    def copied(self, number: int, rows: int) -> None:
        """COPY's text format escapes line breaks inside values: one row is one line."""
        self.ends.append((self.ends[-1] if self.ends else 0) + rows)
        self.numbers.append(number)

    def copy_error(self, exc, columns: dict[str, str]) -> SchemaDriftError | None:
        """The error to raise for a COPY data error: the page, field, value and policy (None: unknown)."""
        found = COLUMN.search(exc.diag.context or "")
        if not found or not self.ends:
            return None
        line, column, value = int(found.group(1)), found.group(2), found.group(3)
        page = self.numbers[min(bisect_left(self.ends, line), len(self.numbers) - 1)]
        value = value if len(value) <= 80 else value[:77] + '..."'
        return SchemaDriftError(
            f"{self.where} page {page}: field {column!r} no longer fits its column ({columns.get(column, '?')}): "
            f"{(exc.diag.message_primary or '').split(':')[0]}, got {value}; source '{self.spec.name}' "
            f"(schema_drift: {self.spec.schema_drift}): drift policies add new columns, never change a column's type")
