"""Where and how each dashboard is deployed, resolved when a run asks, never at import.

The same code location serves a laptop (detached local Streamlit processes) and a server where the
dashboards live in containers restarted by a command; every field can come from the resource's
config or, left empty, from a ``PIPELINE_DASHBOARD_*`` variable read at run time, so definitions
load with nothing configured. One resource serves every exposure: the app path comes from the
exposure, the port is the base port plus the exposure's place (or its ``meta.port``), and a
command or URL may name ``{exposure}`` and ``{port}``. See docs/dashboard.md.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipeline_platform.dashboard.server import REPO_ROOT
from pipeline_platform.dbt.exposure import StreamlitExposure

MODES = ("local", "command")


@dataclass(frozen=True)
class Deployment:
    name: str  # the exposure
    mode: str
    url: str
    command: str
    timeout: float
    app: Path  # the app script
    relations: tuple[str, ...]  # what the data version is computed over
    in_place: tuple[str, ...]  # the relations whose rows count too (see dashboard/verify.py)

    @property
    def app_dir(self) -> Path:
        """The app's folder: its code version, its working directory (and ``.streamlit/`` config)."""
        return self.app.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"PIPELINE_DASHBOARD_{name}", "").strip() or default


def _placeholders(text: str, exposure: str, port: int) -> str:
    return text.replace("{exposure}", exposure).replace("{port}", str(port))


def app_root(app_dir: str = "") -> Path:
    """The folder ``meta.streamlit`` paths are relative to: ``app_dir``, else the variable, else the repo."""
    root = app_dir or _env("APP_DIR")  # an installed wheel has no checkout beside it
    return Path(root).resolve() if root else REPO_ROOT


def app_path(exposure: StreamlitExposure, app_dir: str = "") -> Path:
    path = Path(exposure.app)
    return path if path.is_absolute() else app_root(app_dir) / path


class DashboardSettings(dg.ConfigurableResource):
    """Empty fields fall back to ``PIPELINE_DASHBOARD_<FIELD>``, then to the defaults in docs/dashboard.md."""

    mode: str = ""  # "local" (default) or "command"
    host: str = ""  # local mode: listen address, default 127.0.0.1 (loopback unless configured)
    port: int = 0  # local mode: base port, default 8501 (+ the exposure's place, unless meta.port)
    command: str = ""  # command mode: run without a shell (shlex-split), e.g. a container restart
    url: str = ""  # command mode: where the restarted app answers; default http://host:port
    timeout_seconds: float = 0  # health and data-version wait, default 60
    app_dir: str = ""  # the folder meta.streamlit paths are relative to; default the repo root

    def resolve(self, exposure: StreamlitExposure) -> Deployment:
        mode = (self.mode or _env("MODE", "local")).lower()
        if mode not in MODES:
            raise dg.Failure(f"unknown dashboard mode {mode!r}: use one of {', '.join(MODES)} (PIPELINE_DASHBOARD_MODE)")
        host = self.host or _env("HOST", "127.0.0.1")
        try:
            base_port = self.port or int(_env("PORT", "8501"))
            timeout = self.timeout_seconds or float(_env("TIMEOUT", "60"))
        except ValueError as exc:
            raise dg.Failure(f"PIPELINE_DASHBOARD_PORT/_TIMEOUT must be numbers: {exc}") from exc
        port = exposure.port or base_port + exposure.position
        url = f"http://{host}:{port}"
        command = _placeholders(self.command or _env("COMMAND"), exposure.name, port)
        if mode == "command":
            url = _placeholders(self.url or _env("URL", url), exposure.name, port)
            if not command:
                raise dg.Failure("dashboard mode 'command' needs a command (PIPELINE_DASHBOARD_COMMAND)")
        return Deployment(
            exposure.name, mode, url.rstrip("/"), command, timeout, app_path(exposure, self.app_dir), exposure.relations,
            exposure.in_place,
        )
