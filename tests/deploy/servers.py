"""The gRPC code server, started from the wheel's venv like the image's default command.

Runs are launched by the code server (``DefaultRunLauncher``), so it gets the warehouse, state and
landing settings, plus the instance URL its run workers need and the Celery broker their steps go to
(``celery.py``); its cwd, home and environment hold no path back to the source tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from dagster._grpc.client import DagsterGrpcClient
from dagster_shared.serdes import deserialize_value

from tests.deploy.build import snapshot
from tests.deploy.celery import broker_env
from tests.deploy.procs import Server, dirs, hermetic_env
from tests.helpers import free_port


@dataclass
class CodeServer:
    port: int
    listing: object  # the server's ListRepositoriesResponse
    packaged_after_load: dict  # build.snapshot of the installed dbt project once the location loaded
    server: Server
    state: Path


def _listing(client: DagsterGrpcClient):
    listing = deserialize_value(client.list_repositories())
    assert hasattr(listing, "executable_path"), listing  # a load error is returned, not raised
    return listing


@pytest.fixture(scope="session")
def code_server(wheel_venv, deploy_databases, deploy_dir, redis_broker):
    home, cwd, state, landing, logs = dirs(deploy_dir, "home", "cwd", "state", "landing", "logs")
    env = hermetic_env(wheel_venv.root, home, PIPELINE_DATABASE_URL=deploy_databases.warehouse,
                       DAGSTER_POSTGRES_URL=deploy_databases.instance, PIPELINE_STATE_DIR=state,
                       PIPELINE_LANDING_DIR=landing,  # empty: the landing sensor stays quiet
                       **broker_env(redis_broker))  # runs without in_process config go to Celery workers
    port = free_port()
    cmd = [str(wheel_venv.root / "bin" / "dagster"), "api", "grpc", "-m", "pipeline_platform.definitions",
           "-h", "127.0.0.1", "-p", str(port)]
    server = Server("code-server", cmd, env, cwd, logs)
    try:
        client = DagsterGrpcClient(port=port, host="127.0.0.1")
        server.wait_for(lambda: _listing(client), 240, "code location loaded")
        yield CodeServer(port, _listing(client), snapshot(wheel_venv.packaged), server, state)
    finally:
        server.stop()
