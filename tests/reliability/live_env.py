"""Settings for a throwaway live instance: its own databases and the repo's ``dagster.yaml``.

The code server, the daemon and their run workers all get the same environment, as in a
deployment; only run monitoring's polling is shortened so a test does not wait for production
intervals (the production values are asserted separately in test_run_kill.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import yaml

from pipeline_platform.resources import embedded, warehouse
from tests.deploy.build import REPO

FAST_MONITORING = {"poll_interval_seconds": 1, "free_slots_after_run_end_seconds": 1}


def fresh_database(url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``url``; returns its URL."""
    with psycopg.connect(warehouse.libpq_url(url), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return urlunsplit(urlsplit(warehouse.libpq_url(url))._replace(path=f"/{name}"))


def instance_env(root: Path, warehouse_url: str, instance_url: str, **extra) -> dict:
    """What the code server, the daemon and their run workers get: one warehouse, one instance."""
    home = write_instance(root / "dagster_home", **FAST_MONITORING)
    (root / "landing").mkdir(parents=True, exist_ok=True)  # empty: nothing for the landing sensor
    # Not the dbt target folder a session fixture of tests/dbt_assets may have set in this worker: its
    # parse state belongs to another copy of the project, which these servers' dbt must never reuse.
    inherited = {k: v for k, v in os.environ.items() if k != "DBT_TARGET_PATH"}
    return {**inherited, "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "DAGSTER_HOME": str(home), "DAGSTER_POSTGRES_URL": warehouse.with_driver(instance_url, "psycopg2"),
            warehouse.DATABASE_URL_ENV: warehouse_url, embedded.STATE_DIR_ENV: str(root / "state"),
            "PIPELINE_LANDING_DIR": str(root / "landing"), **{k: str(v) for k, v in extra.items()}}


def write_instance(home: Path, **run_monitoring) -> Path:
    """``home/dagster.yaml`` = the repo's file with ``run_monitoring`` values overridden."""
    config = yaml.safe_load((REPO / "dagster.yaml").read_text())
    config["run_monitoring"].update(run_monitoring)
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return home
