"""Source declarations: ``sources.yaml`` is the only place a team touches to add a raw table.

Parsing happens once, at definition load, so a bad entry fails the code location with a message
naming the file, the entry and the field, instead of failing a run at 3 a.m. Nothing here reads the
environment: variables named in the file (base URL, auth token) are resolved when a run starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline_platform import settings
from pipeline_platform.ingestion import validate as v
from pipeline_platform.ingestion.kinds import KINDS
from pipeline_platform.ingestion.load.table import SCHEMA
from pipeline_platform.ingestion.validate import SourceConfigError

__all__ = ["SourceConfigError", "SourceSpec", "default_sources_file", "load_partitioning", "load_sources"]

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: str
    description: str
    owner: str | None
    primary_key: tuple[str, ...]
    columns: dict[str, str | None]
    load: str = "upsert"
    cursor: str | None = None
    soft_delete: str | None = None
    partitioned: bool = True
    schema_drift: str = "fail"
    duplicates: str = "last_wins"
    expect_rows: bool = True
    freshness: dict | None = None
    options: Any = None  # the kind's own settings (``KINDS[kind].options``)
    schema: str = SCHEMA
    indexes: tuple[str, ...] = ()  # columns the team's models filter on (``table.ensure_indexes``)

    @property
    def table(self) -> str:
        return self.name


def default_sources_file() -> Path:
    """``PIPELINE_SOURCES_FILE``, else the demo's ``sources.yaml`` inside the package."""
    return settings.sources_file()


def _read(path: Path | str | None) -> tuple[Path, dict]:
    path = Path(path) if path else default_sources_file()
    try:
        # libyaml's loader when PyYAML has it: the same documents, ~10x faster than the pure-Python
        # one, and every process that builds the definitions reads this file several times.
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SourceConfigError(f"{path}: cannot read sources file: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) - {"defaults", "sources", "partitions"}:
        raise SourceConfigError(
            f"{path}: top level must be a mapping with 'sources' (and optional 'defaults', 'partitions')"
        )
    return path, doc


def load_partitioning(path: Path | str | None = None) -> tuple[str | None, str | None]:
    """``partitions: {start: YYYY-MM-DD, timezone: ...}`` of the sources file (both optional)."""
    path, doc = _read(path)
    block = doc.get("partitions") or {}
    if not isinstance(block, dict) or set(block) - {"start", "timezone"}:
        raise SourceConfigError(f"{path}: 'partitions' must be a mapping with 'start' and optional 'timezone'")
    start, timezone = block.get("start"), block.get("timezone")
    start = start.isoformat() if hasattr(start, "isoformat") else start  # YAML reads a bare date as a date
    if start is not None and not (isinstance(start, str) and DAY.match(start)):
        raise SourceConfigError(f"{path}: partitions.start must be a date YYYY-MM-DD, got {start!r}")
    if timezone is not None and not isinstance(timezone, str):
        raise SourceConfigError(f"{path}: partitions.timezone must be a timezone name, got {timezone!r}")
    return start, timezone


def load_sources(path: Path | str | None = None) -> list[SourceSpec]:
    path, doc = _read(path)
    defaults = doc.get("defaults") or {}
    entries = doc.get("sources") or {}
    if not isinstance(entries, dict) or not isinstance(defaults, dict):
        raise SourceConfigError(f"{path}: 'sources' and 'defaults' must be mappings")
    return [_parse(path, name, {**defaults, **(entry or {})}) for name, entry in entries.items()]


def _parse(path: Path, name, entry: dict) -> SourceSpec:
    e = v.Entry(path, name, entry)
    e.check_name()
    by_kind = {kind_name: k.keys for kind_name, k in KINDS.items()}
    e.check_keys(by_kind)
    kind = e.choice("kind", tuple(KINDS), required=True)
    load = e.choice("load", ("upsert", "append", "full_refresh"), default="upsert")
    columns = e.columns()
    spec = SourceSpec(
        name=name,
        kind=kind,
        description=e.string("description") or f"Raw {name} ({kind}).",
        owner=e.string("owner"),
        primary_key=e.primary_key(load, columns),
        columns=columns,
        load=load,
        cursor=e.column_ref("cursor", columns),
        soft_delete=e.column_ref("soft_delete", columns),
        partitioned=e.partitioned(load),
        schema_drift=e.choice("schema_drift", ("fail", "add_columns"), default="fail"),
        duplicates=e.choice("duplicates", ("last_wins", "fail"), default="last_wins"),
        expect_rows=e.boolean("expect_rows", default=True),
        freshness=e.freshness(),
        options=KINDS[kind].options(e),
        schema=e.schema_name(),
        indexes=e.column_list("indexes", columns),
    )
    e.forbid_other_kind(kind, by_kind)
    return spec

