"""Where and how the dashboard is deployed, resolved when a run asks, never at import.

The same code location serves a laptop (a detached local Streamlit process) and a server where the
dashboard lives in a container restarted by a command; every field can come from the resource's
config or, left empty, from a ``PIPELINE_DASHBOARD_*`` variable read at run time, so definitions
load with nothing configured. See docs/dashboard.md.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipeline_platform.dashboard.server import APP_DIR

MODES = ("local", "command")


@dataclass(frozen=True)
class Deployment:
    mode: str
    url: str
    command: str
    timeout: float
    app_dir: Path


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"PIPELINE_DASHBOARD_{name}", "").strip() or default


class DashboardSettings(dg.ConfigurableResource):
    """Empty fields fall back to ``PIPELINE_DASHBOARD_<FIELD>``, then to the defaults in docs/dashboard.md."""

    mode: str = ""  # "local" (default) or "command"
    host: str = ""  # local mode: listen address, default 127.0.0.1 (loopback unless configured)
    port: int = 0  # local mode: default 8501
    command: str = ""  # command mode: run without a shell (shlex-split), e.g. a container restart
    url: str = ""  # command mode: where the restarted app answers; default http://host:port
    timeout_seconds: float = 0  # health and data-version wait, default 60
    app_dir: str = ""  # the Streamlit app folder (tests deploy a copy); default the repo's dashboards/

    def resolve(self) -> Deployment:
        mode = (self.mode or _env("MODE", "local")).lower()
        if mode not in MODES:
            raise dg.Failure(f"unknown dashboard mode {mode!r}: use one of {', '.join(MODES)} (PIPELINE_DASHBOARD_MODE)")
        host = self.host or _env("HOST", "127.0.0.1")
        try:
            port = self.port or int(_env("PORT", "8501"))
            timeout = self.timeout_seconds or float(_env("TIMEOUT", "60"))
        except ValueError as exc:
            raise dg.Failure(f"PIPELINE_DASHBOARD_PORT/_TIMEOUT must be numbers: {exc}") from exc
        url = f"http://{host}:{port}"
        command = self.command or _env("COMMAND")
        if mode == "command":
            url = self.url or _env("URL", url)
            if not command:
                raise dg.Failure("dashboard mode 'command' needs a command (PIPELINE_DASHBOARD_COMMAND)")
        app_dir = self.app_dir or _env("APP_DIR")  # an installed wheel has no dashboards/ beside it
        return Deployment(mode, url.rstrip("/"), command, timeout, Path(app_dir).resolve() if app_dir else APP_DIR)
