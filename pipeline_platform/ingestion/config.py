"""Source declarations: ``sources.yaml`` is the only place a team touches to add a raw table.

Parsing happens once, at definition load, so a bad entry fails the code location with a message
naming the file, the entry and the field, instead of failing a run at 3 a.m.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml


class SourceConfigError(ValueError):
    """A source entry that cannot work; the message names file, entry and field."""


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: str
    description: str
    owner: str
    primary_key: tuple[str, ...]
    columns: dict[str, str]
    load: str = "upsert"
    cursor: str | None = None
    landing_glob: str | None = None
    partitioned: str | None = "daily"
    extra: dict = field(default_factory=dict)


def default_sources_file() -> Path:
    return Path(str(resources.files("pipeline_platform.ingestion") / "sources.yaml"))


def load_sources(path: Path | None = None) -> list[SourceSpec]:
    path = path or default_sources_file()
    entries = (yaml.safe_load(path.read_text()) or {}).get("sources") or {}
    specs = []
    for name, entry in entries.items():
        for required in ("kind", "primary_key", "columns"):
            if required not in entry:
                raise SourceConfigError(f"{path}: source '{name}': missing field '{required}'")
        specs.append(
            SourceSpec(
                name=name,
                kind=entry["kind"],
                description=entry.get("description", ""),
                owner=entry.get("owner", ""),
                primary_key=tuple(entry["primary_key"]),
                columns=dict(entry["columns"]),
                load=entry.get("load", "upsert"),
                cursor=entry.get("cursor"),
                landing_glob=entry.get("landing_glob"),
                partitioned=entry.get("partitioned", "daily"),
            )
        )
    return specs
