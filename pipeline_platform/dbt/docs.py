"""``dbt_docs``: the dbt documentation site as an asset, so its freshness shows next to the marts.

``dbt docs generate --static`` writes one self-contained ``static_index.html`` (manifest and
catalog inlined); the asset publishes it to the platform's docs server, or to the folder a deployment's
docs service serves (``docs_server.py``), and links that ``http://`` URL, which the Dagster UI can open
(a ``file://`` link on an ``http://`` page cannot).
It is one extra dbt invocation that queries the warehouse catalog, so it has no automation
condition: it runs when a job selects it (the deploy job), never as a side effect of every automated
dbt build.
"""

import uuid
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject

from pipeline_platform.dbt import docs_server, target_folders
from pipeline_platform.dbt.invocation_env import dbt_environment
from pipeline_platform.dbt.parse_state import keep_parse_state
from pipeline_platform.dbt.project import dbt_project, invocation_root, manifest_path
from pipeline_platform.resources.warehouse import WarehouseResource, dbt_env

DOCS_FILE = "static_index.html"


def build_dbt_docs_asset(models: dg.AssetsDefinition, project: DbtProject | None = None) -> dg.AssetsDefinition:
    """The docs asset, downstream of every model the ``@dbt_assets`` build (it documents them all)."""
    project = project or dbt_project()
    built = sorted(models.keys, key=lambda k: k.to_user_string())

    @dg.asset(
        name="dbt_docs",
        group_name="dbt_docs",
        kinds={"dbt"},
        deps=built,
        description="dbt docs site of the dbt project's models, served over HTTP (PIPELINE_DBT_DOCS_URL).",
    )
    def dbt_docs(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
        mode = docs_server.docs_mode()  # a misconfigured docs server fails before dbt runs, not after
        # Named like dagster-dbt's per-invocation folders: <target>/<op>-<run id>-<unique>.
        target = invocation_root(project.project_dir) / f"dbt_docs-{context.run.run_id[:7]}-{uuid.uuid4().hex[:7]}"
        with dbt_environment(dbt_env(warehouse.url())):
            invocation = dbt.cli(["docs", "generate", "--static"], manifest=manifest_path(project),
                                 target_path=target).wait()
        keep_parse_state(invocation)
        target_folders.prune(invocation_root(project.project_dir))
        site = Path(invocation.target_path) / DOCS_FILE
        if not site.exists():
            raise dg.Failure(f"dbt docs generate --static wrote no {DOCS_FILE} in {invocation.target_path}")
        served = docs_server.publish(site)
        url = docs_server.serve()
        server = "the deployment's docs service" if mode == "external" else "the platform's docs server"
        context.log.info(f"dbt docs: {url} ({server} serves {served})")
        return dg.MaterializeResult(
            metadata={"dagster/uri": dg.MetadataValue.url(url), "path": dg.MetadataValue.path(str(served))}
        )

    return dbt_docs
