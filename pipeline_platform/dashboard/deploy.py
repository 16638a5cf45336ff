"""``deploy_<exposure>``: redeploys a Streamlit app as a step of the graph, not a separate DAG.

One asset per dbt exposure that names a Streamlit app (``meta.streamlit``), downstream of exactly
that exposure's ``depends_on``: a failed dbt test blocks the deploy, and fresh upstreams trigger it.
Its code version is the hash of the app's folder, so Dagster shows a changed app as a stale deploy.
The work is in ``local`` (detached process, reused while unchanged and healthy) and ``command`` (a
user command restarts an app that runs elsewhere); both end with the same HTTP proof that the app
serves the warehouse's current data version.
"""

from pathlib import Path

import dagster as dg

from pipeline_platform import processes
from pipeline_platform.automation.conditions import deploy_condition
from pipeline_platform.dashboard import command, local, server
from pipeline_platform.dashboard.settings import DashboardSettings, app_path
from pipeline_platform.dbt.exposure import StreamlitExposure
from pipeline_platform.resources.warehouse import WarehouseResource

__all__ = ["DashboardSettings", "build_deploy_asset"]

GROUP = "dashboard"


def _failure(exc: Exception, log_file: Path | None, mode: str) -> dg.Failure:
    tail = processes.log_tail(log_file, 40) if log_file else "(no log)"
    return dg.Failure(
        description=f"dashboard deploy ({mode} mode) failed: {exc}\n\nlog tail ({log_file}):\n{tail}",
        metadata={"error": str(exc), "log_tail": dg.MetadataValue.md(f"```\n{tail}\n```")},
    )


def build_deploy_asset(exposure: StreamlitExposure) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"deploy_{exposure.name}",
        group_name=GROUP,
        kinds={"streamlit", "python"},
        deps=list(exposure.upstream),
        code_version=server.app_hash(app_path(exposure, str(server.REPO_ROOT)).parent),
        automation_condition=deploy_condition(),
        description=f"(Re)deploys the Streamlit app {exposure.app} of the dbt exposure '{exposure.name}'.",
    )
    def deploy(context: dg.AssetExecutionContext, dashboard: DashboardSettings, warehouse: WarehouseResource):
        dep = dashboard.resolve(exposure)
        app_hash = server.app_hash(dep.app_dir)
        database_url = warehouse.url()
        try:
            if dep.mode == "command":
                facts = command.deploy(dep, database_url)
            else:
                facts = local.deploy(dep, database_url, app_hash)
        except (local.LocalDeployError, command.CommandDeployError) as exc:
            raise _failure(exc, exc.log_file, dep.mode) from exc
        except Exception as exc:  # e.g. an unparsable command: still a clear failure, never a traceback only
            raise _failure(exc, None, dep.mode) from exc
        how = "reused" if facts.get("reused") else ("restarted by command" if dep.mode == "command" else "started")
        context.log.info(f"Dashboard {exposure.name}: {dep.url} ({how}, data_version {facts['data_version']})")
        metadata = {
            "dagster/uri": dg.MetadataValue.url(dep.url), "mode": dep.mode, "app_hash": app_hash,
            "data_version": facts["data_version"], "reused": bool(facts.get("reused")), "exposure": exposure.name,
        }
        if "pid" in facts:
            metadata["pid"] = facts["pid"]
        return dg.MaterializeResult(metadata=metadata)

    return deploy
