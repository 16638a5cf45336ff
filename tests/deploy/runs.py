"""Launch asset runs over the webserver's GraphQL API and read back what happened, for the deploy tests.

Shared by the process deployment (``test_run.py``, ``celery_processes.py``) and the container stack
(``stack_containers.py``): each reads the event log the same way, including which Celery worker
ran which step (the ``Celery worker`` entry of the engine event each task records).
"""

from __future__ import annotations

import time

import dagster as dg
import psycopg

from pipeline_platform.definitions import defs
from pipeline_platform.ingestion.config import load_sources
from tests.deploy.procs import graphql

REPOS = "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } jobs { name } } } } }"
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId status } } ... on Error { message } } }"""
STATUS = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
TERMINAL = {"SUCCESS", "FAILURE", "CANCELED"}
PENDING = {"QUEUED", "NOT_STARTED", "STARTING", "STARTED"}


def run_status(url: str, run_id: str) -> str:
    return graphql(url, STATUS, id=run_id)["runOrError"]["status"]


def wait_for_run(url: str, run_id: str, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = run_status(url, run_id)
        if status in TERMINAL:
            return status
        time.sleep(1)
    return status


EVENTS = """query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { __typename
  ... on MessageEvent { message stepKey } ... on ErrorEvent { error { message } }
  ... on EngineEvent { metadataEntries { label ... on TextMetadataEntry { text } } } } } } }"""


def csv_sources():
    return [s for s in load_sources() if s.kind == "csv" and s.partitioned]


def staging_of(raw: dg.AssetKey) -> dg.AssetKey:
    [staging] = [k for k in defs.resolve_asset_graph().get(raw).child_keys if k.path[0] == "staging"]
    return staging


def launch(url: str, keys: list[dg.AssetKey], day: str, landing) -> str:
    [repo] = graphql(url, REPOS)["repositoriesOrError"]["nodes"]
    params = {
        "selector": {"repositoryLocationName": repo["location"]["name"], "repositoryName": repo["name"],
                     "jobName": "__ASSET_JOB", "assetSelection": [{"path": k.path} for k in keys]},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": day}]},
        # no execution config: the platform executor's default, Celery since the code server has a broker
        "runConfigData": {"resources": {"landing": {"config": {"path": str(landing)}}}},
    }
    launched = graphql(url, LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


def counts(warehouse: str, keys: list[dg.AssetKey]) -> dict[dg.AssetKey, int]:
    """Rows per table (0 while it does not exist yet)."""
    found = {}
    with psycopg.connect(warehouse) as conn:
        for key in keys:
            name = f'"{key.path[0]}"."{key.path[-1]}"'
            exists = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]
            found[key] = conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] if exists else 0
    return found


MATERIALIZED = """query($id: ID!) { runOrError(runId: $id) { ... on Run { assetMaterializations {
  assetKey { path } metadataEntries { label ... on UrlMetadataEntry { url } ... on PathMetadataEntry { path } } } } } }"""


def materialization_metadata(url: str, run_id: str, key: dg.AssetKey) -> dict[str, str]:
    """Label -> value of the URL and path entries of ``key``'s materialization in the run."""
    [event] = [m for m in graphql(url, MATERIALIZED, id=run_id)["runOrError"]["assetMaterializations"]
               if m["assetKey"]["path"] == key.path]
    return {e["label"]: e.get("url") or e.get("path") for e in event["metadataEntries"] if e.get("url") or e.get("path")}


def events(url: str, run_id: str) -> list[dict]:
    return graphql(url, EVENTS, id=run_id)["logsForRun"]["events"]


def step_workers(url: str, run_id: str) -> list[tuple[str, str]]:
    """(step key, Celery worker hostname) of every task a worker started, in order."""
    found = []
    for event in events(url, run_id):
        if "Executing steps" in (event.get("message") or "") and event.get("metadataEntries"):
            [worker] = [m["text"] for m in event.get("metadataEntries") or [] if m["label"] == "Celery worker"]
            found.append((event["stepKey"], worker))
    return found


def submitted_queues(url: str, run_id: str) -> dict[str, str]:
    prefix = "Submitting celery task for step "
    return {e["stepKey"]: e["message"].rsplit('queue "', 1)[1].rstrip('".')
            for e in events(url, run_id) if prefix in (e.get("message") or "")}


def explain(url: str, run_id: str, *servers) -> str:
    lines = [f"{e['__typename']} {e.get('stepKey')}: {e.get('message')} {(e.get('error') or {}).get('message', '')}"
             for e in events(url, run_id)[-40:]]
    return "\n".join(lines) + "".join(f"\n--- {s.name}:\n{s.tail(3000)}" for s in servers)
