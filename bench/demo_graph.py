"""The demo graph built once per run, exactly as ``make run`` builds it, in the run's own warehouse.

Cases that need real marts (dashboard) share one build. ``cli run`` gets a temp state folder and the
bench warehouse URL through its environment, and ``cli stop`` afterwards ends the demo API and the
dashboard it started, so nothing outlives the run and the developer's ``.state`` is never touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.context import Context

REPO = Path(__file__).resolve().parents[1]


def platform_env(ctx: Context) -> dict[str, str]:
    return {**os.environ, "PIPELINE_DATABASE_URL": ctx.w.url, "PIPELINE_STATE_DIR": str(ctx.tmp / "state")}


def build(ctx: Context, days: int = 0) -> float:
    """Seconds ``python -m pipeline_platform.cli run`` took (cached: the graph is built once per run)."""
    if getattr(ctx, "_graph_seconds", None) is None:
        env = platform_env(ctx)
        start = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, "-m", "pipeline_platform.cli", "run", "--days", str(days)],
                                  cwd=REPO, env=env, capture_output=True, text=True)
        finally:
            subprocess.run([sys.executable, "-m", "pipeline_platform.cli", "stop"], cwd=REPO, env=env,
                           capture_output=True)
        ctx._graph_seconds = time.perf_counter() - start
        ctx._graph_ok = proc.returncode == 0
        if not ctx._graph_ok:
            ctx.log(f"make run style build failed (marts may be partial):\n{proc.stdout[-2000:]}")
    return ctx._graph_seconds
