"""``make dev`` twice with ``make stop`` between: run history survives because it lives in Postgres.

The runs are listed through the webserver's GraphQL API, as the UI lists them. The run recorded
beforehand also makes ``make dev`` skip its first-start backfill (Dagster's records say something
was built already; the backfill itself is covered by test_make_run).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from pipeline_platform import cli
from pipeline_platform.resources import embedded
from tests.helpers import free_port, platform_env

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
RUNS = "{ runsOrError { ... on Runs { results { runId status } } } }"
RUN_ONCE = """
import dagster as dg
@dg.asset
def heartbeat():
    return 1
print(dg.materialize([heartbeat], instance=dg.DagsterInstance.get()).run_id)
"""


def listed_runs(port: int, deadline: float) -> set[str]:
    while time.monotonic() < deadline:
        try:
            body = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": RUNS}, timeout=5).json()
            return {r["runId"] for r in body["data"]["runsOrError"]["results"]}
        except (requests.RequestException, KeyError, TypeError, ValueError):
            time.sleep(1)
    raise AssertionError("dagster dev did not answer GraphQL in time")


def make(target: str, env: dict, **kwargs):
    return subprocess.Popen(["make", target, f"DAGSTER_PORT={env['TEST_DAGSTER_PORT']}"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, **kwargs)


def test_runs_survive_make_stop_and_a_new_make_dev(database_url, tmp_path, fault_tally, monkeypatch):
    env = platform_env(PIPELINE_STATE_DIR=tmp_path / "state", PIPELINE_DEMO_API_URL=f"http://127.0.0.1:{free_port()}",
                       TEST_DAGSTER_PORT=free_port())
    monkeypatch.setenv(embedded.STATE_DIR_ENV, env["PIPELINE_STATE_DIR"])
    instance_env = {**env, **cli.environment()}  # the instance `make dev` uses
    run_id = subprocess.run([sys.executable, "-c", RUN_ONCE], env=instance_env, capture_output=True, text=True,
                            check=True).stdout.strip().splitlines()[-1]
    port = int(env["TEST_DAGSTER_PORT"])
    lost = []
    try:
        for _ in range(2):
            dev = make("dev", env)
            listed = listed_runs(port, time.monotonic() + 240)
            make("stop", env).wait(timeout=120)
            lost.append(len({run_id} - listed))  # history before the restart, missing after it
            assert dev.wait(timeout=60) is not None
        fault_tally.record("dagster dev restarted (run history)", tries=len(lost), lost=sum(lost))
        assert lost == [0, 0]
    finally:
        make("stop", env).wait(timeout=120)
