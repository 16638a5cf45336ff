"""A run launched through the webserver's GraphQL API is queued, dequeued by the daemon and succeeds.

This is the path every scheduled or UI-launched run takes in a distributed deployment (webserver ->
run queue -> daemon -> code server -> run worker), exercised on a raw CSV load (it needs nothing but
a landing file and the warehouse, both prepared here) and its dbt staging view, so dbt also runs
from the project packaged in the wheel.
"""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest

from pipeline_platform.definitions import defs
from pipeline_platform.ingestion.config import load_sources
from pipeline_platform.partitions import daily_partitions
from tests.deploy.landing import land_csv
from tests.deploy.procs import graphql
from tests.deploy.runs import EVENTS, LAUNCH, REPOS, wait_for_run

@pytest.mark.slow
def test_queued_run_reaches_success_through_daemon_and_code_server(webserver, daemon, deploy_databases, deploy_dir):
    spec = next(s for s in load_sources() if s.kind == "csv" and s.partitioned)
    day = daily_partitions().get_first_partition_key()
    # Not the code server's landing folder: its landing sensor would launch a second run for the file.
    landing = deploy_dir / "run_landing"
    land_csv(landing, spec, day, rows=3)
    raw = dg.AssetKey(["raw", spec.name])
    [staging] = [k for k in defs.resolve_asset_graph().get(raw).child_keys if k.path[0] == "staging"]
    [repo] = graphql(webserver.url, REPOS)["repositoriesOrError"]["nodes"]
    assert "__ASSET_JOB" in {j["name"] for j in repo["jobs"]}
    params = {
        "selector": {"repositoryLocationName": repo["location"]["name"], "repositoryName": repo["name"],
                     "jobName": "__ASSET_JOB", "assetSelection": [{"path": raw.path}, {"path": staging.path}]},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": day}]},
        "runConfigData": {"resources": {"landing": {"config": {"path": str(landing)}}},
                          "execution": {"config": {"in_process": {}}}},  # one worker process, not one per step
    }
    launched = graphql(webserver.url, LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    assert launched["run"]["status"] == "QUEUED"  # the QueuedRunCoordinator of deploy/dagster.prod.yaml
    status = wait_for_run(webserver.url, run_id)
    messages = [e.get("message") for e in graphql(webserver.url, EVENTS, id=run_id)["logsForRun"]["events"]]
    assert status == "SUCCESS", "\n".join(filter(None, messages[-30:])) + "\n" + daemon.tail()
    with psycopg.connect(deploy_databases.warehouse) as conn:
        assert conn.execute(f'SELECT count(*) FROM raw."{spec.name}"').fetchone()[0] == 3
        assert conn.execute(f'SELECT count(*) FROM staging."{staging.path[-1]}"').fetchone()[0] == 3
        loads = conn.execute("SELECT status, partition_key FROM raw._loads WHERE run_id = %s", (run_id,)).fetchall()
    assert loads == [("success", day)]
