"""The compose stack, in containers on the host network, runs a GraphQL-launched run on its Celery workers.

``make test-containers`` (root; CI runs it after ``make test``) starts a private Docker engine with no
bridge (deploy/local/dockerd.sh), makes the Debian base image, builds the platform image from the
wheelhouse, then runs this module by path: it is named so that ``make test`` never collects it. The
stack is ``docker-compose.yaml`` with ``deploy/compose.host-network.yaml``: Postgres, Redis, the gRPC
code server, webserver, daemon, two Celery workers and the dashboard, every one on 127.0.0.1 at a
port picked here. The test checks that no container left the host network and no network was made,
that a run's steps ran on both workers, that the warehouse holds the rows, that the dashboard
answers, that the ``dbt_docs`` step of that run published the docs site the ``dbt-docs`` service
serves at the URL the asset links, and that ``down`` leaves nothing running.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import requests

from pipeline_platform.dbt.project import manifest_path
from pipeline_platform.partitions import daily_partitions
from tests.deploy.build import REPO
from tests.deploy.control_plane import loaded, queue_healthy
from tests.deploy.landing import land_csv
from tests.deploy.runs import (
    counts, csv_sources, explain, launch, materialization_metadata, staging_of, step_workers, wait_for_run,
)
from tests.helpers import free_port

PORTS = ("PP_POSTGRES_PORT", "PP_REDIS_PORT", "PP_CODE_SERVER_PORT", "PP_WEBSERVER_PORT", "PP_DASHBOARD_PORT",
         "PP_DBT_DOCS_PORT")
DOCS = dg.AssetKey("dbt_docs")
LANDING = "/opt/dagster/state/test-landing"  # in the state volume the code server and workers share
PREDEFINED_NETWORKS = {"host", "none", "bridge"}  # the engine's own; with --bridge=none "bridge" is absent
STARTUP_SECONDS = 600


@dataclass
class Stack:
    env: dict
    project: str
    webserver: str
    dashboard: str
    warehouse: str
    docs: str

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> str:
        cmd = ["docker-compose", "-f", str(REPO / "docker-compose.yaml"), "-f",
               str(REPO / "deploy" / "compose.host-network.yaml"), "-p", self.project, *args]
        done = subprocess.run(cmd, env=self.env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
        assert not check or done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    def docker(self, *args: str) -> str:
        done = subprocess.run(["docker", *args], env=self.env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def logs(self) -> str:
        return self.compose("logs", "--no-color", "--tail", "40", check=False)[-12000:]

    def container_ids(self) -> list[str]:
        return self.docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}").split()


def _wait(what: str, ready, stack: Stack, timeout: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except AssertionError:
            raise
        except Exception:  # not listening yet
            pass
        time.sleep(2)
    raise AssertionError(f"{what} not within {timeout}s:\n{stack.logs()}")


@pytest.fixture(scope="module")
def stack():
    if "DOCKER_HOST" not in os.environ:
        pytest.fail("run through `make test-containers`: it starts the engine and builds the image first")
    ports = {name: free_port() for name in PORTS}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "POSTGRES_PASSWORD": "unused-the-test-postgres-trusts-loopback",
           "PIPELINE_CELERY_VISIBILITY_TIMEOUT": "600"}
    stack = Stack(env, f"pptest{os.getpid()}", f"http://127.0.0.1:{ports['PP_WEBSERVER_PORT']}",
                  f"http://127.0.0.1:{ports['PP_DASHBOARD_PORT']}",
                  f"postgresql://pipeline@127.0.0.1:{ports['PP_POSTGRES_PORT']}/warehouse",
                  f"http://127.0.0.1:{ports['PP_DBT_DOCS_PORT']}")
    try:
        stack.compose("up", "-d", "--no-build")
        _wait("webserver /server_info", lambda: requests.get(f"{stack.webserver}/server_info", timeout=5).ok, stack)
        _wait("code location loaded", lambda: loaded(stack.webserver), stack)
        _wait("daemon's run queue", lambda: queue_healthy(stack.webserver), stack)
        yield stack
    finally:
        stack.compose("down", "-v", "--remove-orphans", "-t", "20", check=False)


def test_compose_stack_runs_on_host_network_celery_workers_and_comes_down(stack):
    ids = stack.container_ids()
    inspected = json.loads(stack.docker("inspect", *ids))
    services = {c["Config"]["Labels"]["com.docker.compose.service"]: c for c in inspected}
    assert set(services) == {"postgres", "redis", "code-server", "webserver", "daemon", "dashboard",
                             "worker-1", "worker-2", "dbt-docs"}
    assert {s: c["HostConfig"]["NetworkMode"] for s, c in services.items()} == {s: "host" for s in services}
    assert {s: c["State"]["Running"] for s, c in services.items()} == {s: True for s in services}, stack.logs()
    assert set(stack.docker("network", "ls", "--format", "{{.Name}}").split()) <= PREDEFINED_NETWORKS

    specs = csv_sources()[:2]
    day = daily_partitions().get_first_partition_key()
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # docker cp keeps modes: the containers' user must read the folder
        for spec in specs:
            land_csv(Path(tmp), spec, day, rows=5)
        stack.docker("cp", f"{tmp}/.", f"{services['worker-1']['Id']}:{LANDING}")  # the shared state volume
    raws = [dg.AssetKey(["raw", s.name]) for s in specs]
    keys = raws + [staging_of(raws[0])]  # as in celery_processes.py
    run_id = launch(stack.webserver, keys + [DOCS], day, LANDING)  # the docs in the same run: one run's wait
    status = wait_for_run(stack.webserver, run_id, timeout=600)
    assert status == "SUCCESS", explain(stack.webserver, run_id) + "\n" + stack.logs()
    ran = step_workers(stack.webserver, run_id)
    assert {w.split("@")[0] for _, w in ran} == {"worker-1", "worker-2"}, ran
    assert counts(stack.warehouse, keys) == {k: 5 for k in keys}

    # The docs: published by the step into the dbt-docs volume, served by the dbt-docs service (its
    # request log shows the fetch), at the URL the asset links; the page lists every model.
    metadata = materialization_metadata(stack.webserver, run_id, DOCS)
    assert metadata["dagster/uri"] == stack.docs, metadata
    assert metadata["path"] == "/opt/dagster/dbt-docs/index.html", metadata
    docs = requests.get(metadata["dagster/uri"], timeout=30)
    assert docs.status_code == 200, docs.text[:500]
    nodes = json.loads(manifest_path().read_text())["nodes"].values()
    models = sorted(n["name"] for n in nodes if n["resource_type"] == "model")
    assert models and [m for m in models if f'"{m}"' not in docs.text] == []
    served = stack.compose("logs", "--no-color", "dbt-docs")  # http.server's request log
    assert '"GET / HTTP/1.1" 200' in served, served[-2000:]

    page = requests.get(stack.dashboard, timeout=30)
    assert page.ok and "streamlit" in page.text.lower(), page.text[:500]
    assert requests.get(f"{stack.dashboard}/_stcore/health", timeout=30).text == "ok"

    stack.compose("down", "-v", "--remove-orphans", "-t", "20")
    assert stack.container_ids() == []
    assert stack.docker("ps", "-q").split() == []
    assert not [v for v in stack.docker("volume", "ls", "-q").split() if v.startswith(f"{stack.project}_")]
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{stack.webserver}/server_info", timeout=5)
