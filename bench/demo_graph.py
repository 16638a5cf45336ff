"""The demo graph built exactly as ``make run`` builds it, in the run's own warehouse.

``cli run`` gets a temp state folder, the bench warehouse URL and free ports for the demo API, the
dashboard and the dbt docs server through its environment (a developer's ``make dev`` may hold the
default ports), so the developer's ``.state`` is never touched. The first build is cached for cases
that only need marts (dashboard); ``stop`` ends the demo API, dashboard and docs server it started.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.context import Context

REPO = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def platform_env(ctx: Context) -> dict[str, str]:
    if getattr(ctx, "_graph_ports", None) is None:
        ctx._graph_ports = (_port(), _port(), _port())
    api, dashboard, docs = ctx._graph_ports
    return {**os.environ, "PIPELINE_DATABASE_URL": ctx.w.url, "PIPELINE_STATE_DIR": str(ctx.tmp / "state"),
            "PIPELINE_DEMO_API_URL": f"http://127.0.0.1:{api}", "PIPELINE_DASHBOARD_PORT": str(dashboard),
            "PIPELINE_DBT_DOCS_URL": f"http://127.0.0.1:{docs}"}


def cli(ctx: Context, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline_platform.cli", *args], cwd=REPO, env=platform_env(ctx),
                          capture_output=True, text=True)


def run(ctx: Context, days: int = 0) -> None:
    """``python -m pipeline_platform.cli run`` (``make run``); raises with its output if it fails."""
    proc = cli(ctx, "run", "--days", str(days))
    ctx._graph_ok = proc.returncode == 0
    if not ctx._graph_ok:
        raise RuntimeError(f"make run style build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def stop(ctx: Context) -> None:
    cli(ctx, "stop")


def build(ctx: Context, days: int = 0) -> float:
    """Seconds of the first ``cli run`` (cached: the graph is built once per run unless a case rebuilds it)."""
    if getattr(ctx, "_graph_seconds", None) is None:
        start = time.perf_counter()
        try:
            run(ctx, days)
        except RuntimeError as exc:  # the marts may be partial; the case using them reports it
            ctx.log(str(exc))
        finally:
            stop(ctx)
        ctx._graph_seconds = time.perf_counter() - start
    return ctx._graph_seconds
