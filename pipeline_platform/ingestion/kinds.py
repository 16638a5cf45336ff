"""The registry of source kinds: ``kind:`` in ``sources.yaml`` -> the folder that reads it.

One line per kind; everything else about a kind is in its own subpackage (``source_kind.py`` says
what it provides).
"""

from __future__ import annotations

from pipeline_platform.ingestion.api.kind import API
from pipeline_platform.ingestion.csv.kind import CSV
from pipeline_platform.ingestion.database.kind import MYSQL, POSTGRES
from pipeline_platform.ingestion.source_kind import SourceKind

KINDS: dict[str, SourceKind] = {
    "csv": CSV,
    "api": API,
    "postgres": POSTGRES,
    "mysql": MYSQL,
}
