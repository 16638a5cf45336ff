"""The ``csv`` kind: a window's landing files, matched by ``landing_glob``, streamed into COPY.

Only what is particular to landing files lives here: the one key, the folder resource, and the
files of the window; the header checks and the byte streaming are ``extract.py`` and ``stream.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline_platform.ingestion.csv import extract, landing_files
from pipeline_platform.ingestion.source_kind import SourceKind


@dataclass(frozen=True)
class CsvOptions:
    landing_glob: str


def _options(e) -> CsvOptions:
    return CsvOptions(landing_glob=e.string("landing_glob", required=True))


def _extract(context, conn, spec, window, existing, make_sink):
    files = landing_files.files_for_window(context.resources.landing.root(), spec.options.landing_glob,
                                           window.first, window.last)
    context.log.info(f"{spec.schema}.{spec.table}: {len(files)} landing file(s) for {window.label or 'all days'}")
    return extract.extract(spec, existing, files, make_sink), {"files": len(files)}


CSV = SourceKind(
    keys=frozenset({"landing_glob"}),
    options=_options,
    extract=_extract,
    resource="landing",
    asset_metadata=lambda options: {"landing_glob": options.landing_glob},  # the landing sensor's match
)
