"""The deployment's Dagster config files are real Dagster config, not YAML that merely parses.

``deploy/dagster.prod.yaml`` is loaded as an instance on Postgres (unknown keys, wrong types and
bad classes fail here, not at 3 a.m. in a pod), and ``deploy/workspace.grpc.yaml`` as a workspace
pointing at the code server that ``docker-compose.yaml`` starts. Neither compose nor the Helm
values may carry a secret: every credential comes from the environment or a Kubernetes secret.
"""

from __future__ import annotations

import shutil
import tomllib

import dagster as dg
import yaml
from dagster._core.workspace.load import location_origins_from_yaml_paths

from tests.deploy.build import REPO
from tests.deploy.manifests import final_stage


def test_prod_instance_config_loads_as_a_postgres_instance(tmp_path, deploy_databases, monkeypatch):
    shutil.copy(REPO / "deploy" / "dagster.prod.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_POSTGRES_URL", deploy_databases.instance)
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert instance.get_ref().storage_data.class_name == "DagsterPostgresStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert type(instance.run_launcher).__name__ == "DefaultRunLauncher"
        assert instance.run_monitoring_enabled and instance.run_retries_enabled
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs > 0
        assert instance.get_runs() == []  # storage is reachable and migrated
    finally:
        instance.dispose()


def test_grpc_workspace_targets_the_compose_code_server(monkeypatch):
    monkeypatch.setenv("PIPELINE_CODE_SERVER_HOST", "code-server")
    monkeypatch.setenv("PIPELINE_CODE_SERVER_PORT", final_stage()["env"]["PIPELINE_CODE_SERVER_PORT"])
    [origin] = location_origins_from_yaml_paths([str(REPO / "deploy" / "workspace.grpc.yaml")])
    location = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["dagster"]["code_location_name"]
    assert (origin.host, origin.port, origin.location_name) == ("code-server", 4000, location)
    compose = yaml.safe_load((REPO / "docker-compose.yaml").read_text())["services"]
    assert compose["webserver"]["environment"]["PIPELINE_CODE_SERVER_HOST"] in compose
    command = compose["code-server"]["command"]
    assert command[command.index("-p") + 1] == str(origin.port)


def test_no_secret_is_written_into_compose_or_helm_values():
    values = yaml.safe_load((REPO / "deploy" / "values.yaml").read_text())
    assert values["postgresql"]["enabled"] is False and values["generatePostgresqlPasswordSecret"] is False
    assert "postgresqlPassword" not in values["postgresql"]
    for name, service in yaml.safe_load((REPO / "docker-compose.yaml").read_text())["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in ("PASSWORD", "TOKEN", "SECRET")) or "@" in str(value):
                assert "${" in str(value), f"{name}: {key} must come from the environment"


def test_the_docs_service_serves_the_folder_every_step_container_publishes_to():
    """dbt_docs runs on a worker (or the code server without Celery) and writes PIPELINE_DBT_DOCS_DIR; the
    dbt-docs service serves that folder of the same volume, read-only, and the asset links its port."""
    compose = yaml.safe_load((REPO / "docker-compose.yaml").read_text())
    services, host = compose["services"], yaml.safe_load((REPO / "deploy" / "compose.host-network.yaml").read_text())
    env = services["code-server"]["environment"]
    assert env["PIPELINE_DBT_DOCS_MODE"] == "external"
    folder = env["PIPELINE_DBT_DOCS_DIR"]
    docs = services["dbt-docs"]
    assert docs["command"][docs["command"].index("--directory") + 1] == folder
    [volume] = [v for v in docs["volumes"] if v.split(":")[1] == folder]
    assert volume.endswith(":ro") and volume.split(":")[0] in compose["volumes"]
    assert not docs["environment"]  # static files: no connection string, no token
    for name in ("code-server", "worker-1", "worker-2"):
        assert f"{volume.split(':')[0]}:{folder}" in services[name]["volumes"], name
    port = docs["command"][docs["command"].index("http.server") + 1]
    assert env["PIPELINE_DBT_DOCS_URL"].endswith(f":{port}}}")  # ${PIPELINE_DBT_DOCS_URL:-http://localhost:8580}
    override = yaml.safe_load((REPO / "docker-compose.override.yaml").read_text())["services"]
    assert override["dbt-docs"]["ports"] == [f"127.0.0.1:{port}:{port}"]
    on_host = host["services"]["dbt-docs"]["command"]
    assert on_host[on_host.index("--bind") + 1] == "127.0.0.1" and on_host[on_host.index("--directory") + 1] == folder
    assert host["x-host-env"]["PIPELINE_DBT_DOCS_URL"] == f"http://127.0.0.1:{on_host[on_host.index('http.server') + 1]}"
