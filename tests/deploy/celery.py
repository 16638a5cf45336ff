"""Redis from Debian and two Celery workers from the wheel's venv, for the deployment's Celery path.

The code server gets the broker URL (``servers.py``), so every run launched without ``in_process``
config sends its steps here. The workers split the queues the way docs/deploy.md suggests: worker A
serves only ``raw`` loads, worker B serves ``raw``, ``dbt`` and ``dagster``; so a run with raw loads
and a dbt step uses both, and either can take over a raw load from the other. Without
``redis-server`` the Celery tests skip off CI; under ``CI=true`` they must run (.ci/run installs it).
Sessions without a Celery test (``make test``) start no broker, so their code server runs steps itself.
"""

from __future__ import annotations

import os
import shutil
import socket
from dataclasses import dataclass

import pytest

from tests.deploy.procs import Server, dirs, hermetic_env
from tests.helpers import free_port

VISIBILITY_SECONDS = 20  # a killed worker's step is handed on after this (PIPELINE_CELERY_VISIBILITY_TIMEOUT)
WORKER_QUEUES = {"worker-a": "raw", "worker-b": "raw,dbt,dagster"}


@dataclass
class Broker:
    url: str
    server: Server


@dataclass
class Worker:
    name: str
    hostname: str  # as Celery reports it in the event log
    server: Server


def _pong(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")


@pytest.fixture(scope="session")
def redis_broker(request, deploy_dir):
    """A private ``redis-server`` on loopback (no persistence); None in a session with no Celery test
    (``make test``: its runs then execute on the code server as before) or off CI without one."""
    if not any("celery_workers" in item.fixturenames for item in request.session.items):
        yield None
        return
    binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)
    if binary is None:
        assert os.environ.get("CI") != "true", "redis-server is missing: .ci/run installs Debian's redis-server"
        yield None
        return
    redis_dir, logs = dirs(deploy_dir, "redis", "logs")
    port = free_port()
    cmd = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
           "--dir", str(redis_dir), "--protected-mode", "yes"]
    server = Server("redis", cmd, {"PATH": "/usr/bin:/bin"}, redis_dir, logs)
    try:
        server.wait_for(lambda: _pong(port), 30, "PONG")
        yield Broker(f"redis://127.0.0.1:{port}/0", server)
    finally:
        server.stop()


def broker_env(broker: Broker | None) -> dict[str, str]:
    if broker is None:
        return {}
    return {"PIPELINE_CELERY_BROKER_URL": broker.url, "PIPELINE_CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS)}


@pytest.fixture(scope="session")
def celery_workers(code_server, redis_broker, wheel_venv, deploy_databases, deploy_dir):
    if redis_broker is None:
        pytest.skip("redis-server is not installed (CI installs it)")
    workers = []
    try:
        for name, queues in WORKER_QUEUES.items():
            home, cwd, logs = dirs(deploy_dir, f"{name}-home", f"{name}-cwd", "logs")
            env = hermetic_env(wheel_venv.root, home, PIPELINE_DATABASE_URL=deploy_databases.warehouse,
                               DAGSTER_POSTGRES_URL=deploy_databases.instance, PIPELINE_STATE_DIR=code_server.state,
                               **broker_env(redis_broker))
            cmd = [str(wheel_venv.python), "-m", "pipeline_platform.workers", "--name", name, "--queues", queues]
            workers.append(Worker(name, f"{name}@{socket.gethostname()}", Server(name, cmd, env, cwd, logs)))
        for worker in workers:
            worker.server.wait_for(lambda w=worker: f"{w.hostname} ready." in w.server.tail(20000), 240,
                                   "celery worker ready")
        yield {w.name: w for w in workers}
    finally:
        for worker in workers:
            worker.server.stop()
