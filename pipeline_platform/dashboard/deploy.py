"""``deploy_dashboard``: redeploys the Streamlit app as a step of the graph, not a separate DAG.

Being downstream of exactly the marts the dbt exposure lists means a failed dbt test blocks the
deploy, and fresh marts trigger it. An unchanged, healthy app is left running (same pid); a changed
app is restarted; a failed start leaves no orphan and reports the server log.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import dagster as dg

from pipeline_platform.dashboard import server
from pipeline_platform.resources.warehouse import DATABASE_URL_ENV, WarehouseResource, state_dir


class DashboardSettings(dg.ConfigurableResource):
    """Where the dashboard listens; empty fields fall back to ``PIPELINE_DASHBOARD_HOST``/``_PORT``
    (read when a run asks, not at import), then to 127.0.0.1:8501: loopback unless configured."""

    host: str = ""
    port: int = 0
    health_timeout_seconds: float = 60.0

    def base_url(self) -> str:
        host = self.host or os.environ.get("PIPELINE_DASHBOARD_HOST", "127.0.0.1")
        port = self.port or int(os.environ.get("PIPELINE_DASHBOARD_PORT", "8501"))
        return f"http://{host}:{port}"


def _state_file() -> Path:
    return state_dir() / "dashboard" / "state.json"


def _read_state() -> dict:
    path = _state_file()
    return json.loads(path.read_text()) if path.exists() else {}


def build_deploy_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        name="deploy_dashboard",
        group_name="dashboard",
        kinds={"streamlit", "python"},
        deps=mart_keys,
        code_version=server.app_hash(),
        automation_condition=dg.AutomationCondition.eager(),
    )
    def deploy_dashboard(context: dg.AssetExecutionContext, dashboard: DashboardSettings, warehouse: WarehouseResource):
        url = dashboard.base_url()
        app_hash = server.app_hash()
        log_file = state_dir() / "dashboard" / "streamlit.log"
        state = _read_state()
        pid = state.get("pid")
        reuse = (
            state.get("app_hash") == app_hash and state.get("url") == url and server.pid_alive(pid)
            and server.wait_healthy(url, 2, pid)
        )
        if not reuse:
            server.stop(pid)
            env = {**os.environ, DATABASE_URL_ENV: warehouse.url()}
            pid = server.start(server.streamlit_command(url), log_file, env)
            if not server.wait_healthy(url, dashboard.health_timeout_seconds, pid):
                server.stop(pid)
                raise dg.Failure(
                    description=f"dashboard did not become healthy at {url}",
                    metadata={"server_log_tail": dg.MetadataValue.md(f"```\n{server.log_tail(log_file)}\n```")},
                )
            _state_file().write_text(json.dumps({"pid": pid, "app_hash": app_hash, "url": url}))
        context.log.info(f"Dashboard: {url} (pid {pid}, {'reused' if reuse else 'started'})")
        return dg.MaterializeResult(
            metadata={"dagster/uri": dg.MetadataValue.url(url), "pid": pid, "app_hash": app_hash, "reused": reuse}
        )

    return deploy_dashboard
