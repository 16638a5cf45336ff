"""Support for the concurrent-runs test: a throwaway warehouse + instance and real `dagster job execute`s.

Each run is its own OS process running the real ``refresh_warehouse`` job of the code location
(every raw source, then one ``dbt build``) for one partition, with the in-process executor, against
a throwaway server whose ``warehouse`` database holds both the warehouse and the Dagster instance
storage, as in production. The instance is the repo's ``dagster.yaml`` unchanged, so its
``warehouse`` pool limit is the one under test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from pipeline_platform.demo import production
from pipeline_platform.resources import warehouse

REPO = Path(__file__).resolve().parents[2]
DAGSTER = str(Path(sys.executable).with_name("dagster"))
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}
# Advisory locks nobody but a raw load of this table takes: pg_advisory_xact_lock(hashtext('raw.<t>')).
RAW_LOCK_WAITERS = """
SELECT k.name, l.pid FROM pg_locks l
JOIN (SELECT n AS name, hashtext('raw.' || n)::bigint AS key FROM unnest(%s::text[]) n) k
  ON l.locktype = 'advisory' AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = k.key
WHERE NOT l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""
FCT_ORDERS_LOCK = "hashtext('dbt build:model.pipeline_platform.fct_orders')"  # the dbt step's build lock (dbt/build_lock.py)
# Processes waiting on any model's build lock: each dbt step takes its models' locks in sorted order,
# so with fct_orders' held by the test, one step waits there and the other on the first lock the
# first step holds.
BUILD_LOCK_WAITERS = """
SELECT l.pid FROM pg_locks l
JOIN (SELECT hashtext('dbt build:' || u)::bigint AS key FROM unnest(%s::text[]) u) k
  ON l.locktype = 'advisory' AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = k.key
WHERE NOT l.granted
"""


def model_ids() -> list[str]:
    """unique_ids of the demo's models, whose build locks the dbt steps take."""
    from pipeline_platform.dbt.project import manifest_path

    nodes = json.loads(manifest_path().read_text())["nodes"]
    return [uid for uid, node in nodes.items() if node["resource_type"] == "model"]


def run_env(root: Path, url: str, api_url: str, landing: Path, as_of: str) -> dict[str, str]:
    """Environment of a run process: every setting it reads, nothing from the developer's tree."""
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    (root / "dbt").mkdir(exist_ok=True)
    (root / "run_config.yaml").write_text(yaml.safe_dump(IN_PROCESS))
    return {"PIPELINE_DATABASE_URL": url, "PIPELINE_STATE_DIR": str(root / "state"), "DAGSTER_HOME": str(home),
            "DAGSTER_POSTGRES_URL": warehouse.with_driver(url, "psycopg2"), "PIPELINE_DEMO_API_URL": api_url,
            "PIPELINE_LANDING_DIR": str(landing), "PIPELINE_DEMO_AS_OF": as_of, "DBT_TARGET_PATH": str(root / "dbt"),
            "DO_NOT_TRACK": "1",
            # the shop's production database beside this warehouse, brought to ``as_of`` by the demo API
            production.URL_ENV: production.database_url(url)}


def start_run(env: dict, root: Path, partition: str, name: str) -> subprocess.Popen:
    """``dagster job execute`` of refresh_warehouse for one partition, output to ``root/<name>.log``."""
    cmd = [DAGSTER, "job", "execute", "-m", "pipeline_platform.definitions", "-j", "refresh_warehouse",
           "-c", str(root / "run_config.yaml"), "--tags", json.dumps({"dagster/partition": partition})]
    log = (root / f"{name}.log").open("w")
    return subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


def tail(root: Path, name: str, chars: int = 4000) -> str:
    return (root / f"{name}.log").read_text()[-chars:]
