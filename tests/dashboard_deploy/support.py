"""Helpers for the deploy tests: real dbt builds, a copy of the app, the asset run in-process.

The deploy is exercised exactly as Dagster runs it (``dg.materialize`` of the real asset, built from
the demo's real dbt exposure, with its resources), against marts built by the real dbt project from
hand-seeded raw rows, so a passing test means the shipped code deploys the shipped app over the
shipped models.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import psutil
import psycopg
import requests

from pipeline_platform import processes
from pipeline_platform.dashboard.deploy import build_deploy_asset
from pipeline_platform.dashboard.settings import DashboardSettings
from pipeline_platform.dashboard.verify import warehouse_data_version
from pipeline_platform.dbt.exposure import streamlit_exposures
from pipeline_platform.dbt.project import manifest_path, profile_args
from pipeline_platform.resources.warehouse import WarehouseResource, dbt_env

REPO = Path(__file__).resolve().parents[2]
DASHBOARDS = REPO / "dashboards"
MART_KEYS = [dg.AssetKey(["marts", n]) for n in ("customer_lifetime_value", "mart_build_info",
                                                 "mart_daily_revenue", "mart_nps_daily")]


def demo_exposure():
    """The demo's exposure as the code location reads it from the manifest."""
    [exposure] = streamlit_exposures(manifest_path())
    assert exposure.name == "dashboard" and list(exposure.upstream) == MART_KEYS
    return exposure


def platform_version(url: str) -> str:
    """The platform's data version of the demo exposure's relations, read from the warehouse."""
    exposure = demo_exposure()
    return warehouse_data_version(url, exposure.relations, exposure.in_place)


def dbt(url: str, target: Path, *args: str) -> str:
    """Run dbt on ``url`` (target/logs in a temp dir); returns its invocation id."""
    cmd = [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(REPO / "dbt_project"),
           *profile_args(), "--target", "ci", "--target-path", str(target),
           "--log-path", str(target / "logs")]
    (target / "run_results.json").unlink(missing_ok=True)
    proc = subprocess.run(cmd, env=os.environ | dbt_env(url) | {"DO_NOT_TRACK": "1"}, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    return json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]


def copy_app(dst: Path) -> Path:
    """A copy of ``dashboards/`` at ``dst``; the exposure's ``dashboards/app.py`` resolves against its parent."""
    shutil.copytree(DASHBOARDS, dst, ignore=shutil.ignore_patterns("__pycache__"))
    return dst


def deploy(database_url: str, **settings) -> dg.ExecuteInProcessResult:
    """Materialize ``deploy_dashboard``; an ``app_dir`` setting names the copied ``dashboards/`` folder."""
    if "app_dir" in settings:
        settings["app_dir"] = str(Path(settings["app_dir"]).parent)  # the root meta.streamlit is relative to
    resources = {"dashboard": DashboardSettings(**settings), "warehouse": WarehouseResource(database_url=database_url)}
    return dg.materialize([build_deploy_asset(demo_exposure())], resources=resources, raise_on_error=False)


def facts(result: dg.ExecuteInProcessResult) -> dict:
    assert result.success, failure(result)
    [event] = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def failure(result: dg.ExecuteInProcessResult) -> str:
    events = result.get_step_failure_events()
    assert events, "the deploy did not fail"
    data = events[0].step_failure_data
    description = data.user_failure_data.description if data.user_failure_data else ""
    return f"{description}\n{data.error.message if data.error else ''}"


def pids_running(marker: str) -> list[int]:
    """Live (non-zombie) processes whose command line mentions ``marker``, this test run excluded."""
    return [proc.pid for proc in psutil.process_iter() if proc.pid != os.getpid() and processes.runs(proc.pid, marker)]


def served(url: str) -> requests.Response:
    return requests.get(f"{url}/_pp/data_version", timeout=10)


def add_order(url: str, order_id: int, amount: str, day: str = "2026-09-02") -> None:
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO raw.orders VALUES (%s, 3, 11, 4, %s, 'delivered', %s, %s, null, 1, now())",
                     (order_id, amount, f"{day} 10:00+00", f"{day} 10:00+00"))
