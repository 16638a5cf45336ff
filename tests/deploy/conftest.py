"""Session fixtures for the deployment tests: one wheel, one venv, one set of servers for all of them.

Building and installing the wheel costs about two minutes on two cores, so every test shares it; the
servers (``servers.py``: gRPC code server; ``control_plane.py``: webserver, daemon; ``celery.py``: Redis and
two Celery workers) stop at session end.
Instance storage and the warehouse get their own databases on the session's embedded Postgres, so
nothing another test module leaves behind can change what a deployed run sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from pipeline_platform.resources.warehouse import with_driver
from tests.deploy.build import PACKAGED, install_wheel, make_package, snapshot
from tests.deploy.celery import celery_workers, redis_broker  # noqa: F401  (fixtures)
from tests.deploy.control_plane import daemon, webserver  # noqa: F401  (fixtures)
from tests.deploy.servers import code_server  # noqa: F401  (fixture)


@dataclass(frozen=True)
class WheelVenv:
    root: Path
    python: Path
    site_packages: Path
    packaged: Path  # the installed dbt project, manifest included
    before_load: dict  # its files' mtimes right after install


@dataclass(frozen=True)
class Databases:
    warehouse: str  # PIPELINE_DATABASE_URL
    instance: str  # DAGSTER_POSTGRES_URL (postgresql+psycopg2)


@pytest.fixture(scope="session")
def deploy_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("deploy")


@pytest.fixture(scope="session")
def wheel(deploy_dir) -> Path:
    return make_package(deploy_dir / "build")


@pytest.fixture(scope="session")
def wheel_venv(wheel, deploy_dir) -> WheelVenv:
    root = deploy_dir / "venv"
    python = install_wheel(wheel, root)
    site = next((root / "lib").glob("python3*/site-packages"))
    packaged = site / PACKAGED
    return WheelVenv(root, python, site, packaged, snapshot(packaged))


def _database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def deploy_databases(database_url) -> Databases:
    return Databases(warehouse=_database(database_url, "pp_deploy_warehouse"),
                     instance=with_driver(_database(database_url, "pp_deploy_dagster"), "psycopg2"))
