"""``deploy_dashboard``: redeploys the Streamlit app as a step of the graph, not a separate DAG.

Being downstream of exactly the marts the dbt exposure lists means a failed dbt test blocks the
deploy, and fresh marts trigger it. Its code version is the hash of ``dashboards/``, so Dagster
shows a changed app as a stale deploy. The work is in ``local`` (detached process, reused while
unchanged and healthy) and ``command`` (a user command restarts an app that runs elsewhere); both
end with the same HTTP proof that the app serves the warehouse's current data version.
"""

from pathlib import Path

import dagster as dg

from pipeline_platform.automation.conditions import deploy_condition
from pipeline_platform.dashboard import command, local, server
from pipeline_platform.dashboard.settings import DashboardSettings
from pipeline_platform.resources.warehouse import WarehouseResource

__all__ = ["DashboardSettings", "build_deploy_asset"]


def _failure(exc: Exception, log_file: Path | None, mode: str) -> dg.Failure:
    tail = server.log_tail(log_file, 40) if log_file else "(no log)"
    return dg.Failure(
        description=f"dashboard deploy ({mode} mode) failed: {exc}\n\nlog tail ({log_file}):\n{tail}",
        metadata={"error": str(exc), "log_tail": dg.MetadataValue.md(f"```\n{tail}\n```")},
    )


def build_deploy_asset(mart_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        name="deploy_dashboard",
        group_name="dashboard",
        kinds={"streamlit", "python"},
        deps=mart_keys,
        code_version=server.app_hash(),
        automation_condition=deploy_condition(),
    )
    def deploy_dashboard(context: dg.AssetExecutionContext, dashboard: DashboardSettings, warehouse: WarehouseResource):
        dep = dashboard.resolve()
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
        context.log.info(f"Dashboard: {dep.url} ({how}, data_version {facts['data_version']})")
        metadata = {
            "dagster/uri": dg.MetadataValue.url(dep.url), "mode": dep.mode, "app_hash": app_hash,
            "data_version": facts["data_version"], "reused": bool(facts.get("reused")),
        }
        if "pid" in facts:
            metadata["pid"] = facts["pid"]
        return dg.MaterializeResult(metadata=metadata)

    return deploy_dashboard
