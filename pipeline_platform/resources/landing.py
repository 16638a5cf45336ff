"""Where CSV extracts land, as a resource so tests and deployments point it elsewhere without code.

Unset, it is ``<state>/landing`` (``PIPELINE_LANDING_DIR`` overrides), resolved when a run or a
sensor tick asks, never at import.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipeline_platform.resources.embedded import state_dir

LANDING_DIR_ENV = "PIPELINE_LANDING_DIR"


def resolve_landing_dir() -> Path:
    path = Path(os.environ.get(LANDING_DIR_ENV) or state_dir() / "landing").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


class LandingFolder(dg.ConfigurableResource):
    """The landing folder; ``path`` empty means the default above."""

    path: str = ""

    def root(self) -> Path:
        return Path(self.path).resolve() if self.path else resolve_landing_dir()
