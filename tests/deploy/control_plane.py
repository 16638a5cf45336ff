"""Webserver and daemon as separate processes, like ``docker-compose.yaml``, from the wheel's venv.

Both read a ``grpc_server`` workspace derived from ``deploy/workspace.grpc.yaml`` (only the port
changes) and an instance whose ``dagster.yaml`` is ``deploy/dagster.prod.yaml`` verbatim, so the
tests exercise the shipped files, not look-alikes.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import yaml

from tests.deploy.build import REPO
from tests.deploy.procs import Server, dirs, graphql, hermetic_env
from tests.helpers import free_port

LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus "\
            "locationOrLoadError { __typename ... on PythonError { message } } } } } }"
DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }"


@dataclass
class Webserver:
    url: str
    workspace: Path
    env: dict
    server: Server


def loaded(url: str) -> bool:
    entries = graphql(url, LOCATIONS)["workspaceOrError"]["locationEntries"]
    assert all((e["locationOrLoadError"] or {}).get("__typename") != "PythonError" for e in entries), entries
    return bool(entries) and all(e["loadStatus"] == "LOADED" for e in entries)


def queue_healthy(url: str) -> bool:
    statuses = graphql(url, DAEMONS)["instance"]["daemonHealth"]["allDaemonStatuses"]
    return any(s["daemonType"] == "QUEUED_RUN_COORDINATOR" and s["healthy"] for s in statuses)


@pytest.fixture(scope="session")
def webserver(code_server, wheel_venv, deploy_databases, deploy_dir):
    dagster_home, home, cwd, logs = dirs(deploy_dir, "dagster_home", "home", "cwd", "logs")
    shutil.copy(REPO / "deploy" / "dagster.prod.yaml", dagster_home / "dagster.yaml")
    workspace = yaml.safe_load((REPO / "deploy" / "workspace.grpc.yaml").read_text())
    workspace["load_from"][0]["grpc_server"]["port"] = code_server.port
    workspace_file = deploy_dir / "workspace.yaml"
    workspace_file.write_text(yaml.safe_dump(workspace))
    env = hermetic_env(wheel_venv.root, home, DAGSTER_HOME=dagster_home, PIPELINE_CODE_SERVER_HOST="127.0.0.1",
                       DAGSTER_POSTGRES_URL=deploy_databases.instance)
    port = free_port()
    cmd = [str(wheel_venv.root / "bin" / "dagster-webserver"), "-w", str(workspace_file),
           "-h", "127.0.0.1", "-p", str(port)]
    server = Server("webserver", cmd, env, cwd, logs)
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_for(lambda: requests.get(f"{url}/server_info", timeout=5).ok, 180, "/server_info")
        server.wait_for(lambda: loaded(url), 120, "location loaded")
        yield Webserver(url, workspace_file, env, server)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def daemon(webserver, wheel_venv, deploy_dir):
    cmd = [str(wheel_venv.root / "bin" / "dagster-daemon"), "run", "-w", str(webserver.workspace)]
    server = Server("daemon", cmd, webserver.env, deploy_dir / "cwd", deploy_dir / "logs")
    try:
        server.wait_for(lambda: queue_healthy(webserver.url), 180, "QUEUED_RUN_COORDINATOR heartbeat")
        yield server
    finally:
        server.stop()
