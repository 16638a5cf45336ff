"""Manifests with other exposures than the demo's: the real manifest with its ``exposures`` replaced.

Everything else (models, sources, the translator's keys) stays the shipped project's, so a test
changes exactly the one thing a team changes to declare its dashboards.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline_platform.dbt.project import manifest_path


def exposure(name: str, depends_on: list[str], meta: dict | None = None) -> dict:
    """A manifest exposure as dbt 1.11 writes it (``meta`` both top-level and under ``config``)."""
    return {
        "name": name, "resource_type": "exposure", "unique_id": f"exposure.pipeline_platform.{name}",
        "type": "dashboard", "meta": meta or {}, "config": {"enabled": True, "meta": meta or {}},
        "depends_on": {"macros": [], "nodes": depends_on},
    }


def write_manifest(folder: Path, *exposures: dict) -> Path:
    data = json.loads(manifest_path().read_text())
    data["exposures"] = {e["unique_id"]: e for e in exposures}
    folder.mkdir(parents=True, exist_ok=True)
    (path := folder / "manifest.json").write_text(json.dumps(data))
    return path
