"""Issue 17's acceptance: a team's own project runs with settings and files only, no platform edit.

The project in this folder differs from the demo in every name: sources in schema ``intake`` (one
CSV roster exported whole into ``hr/exports/``, one daily API), a dbt project ``field_service`` with
its own profile name ``field_ops_warehouse``, a local package ``visit_math`` used by a model and a
test, one incremental model among plain ones, a dbt source no loader writes, and two exposures
naming two small Streamlit apps. It is copied to a temp folder and selected with
``PIPELINE_SOURCES_FILE``, ``PIPELINE_DBT_PROJECT_DIR`` and ``PIPELINE_DASHBOARD_APP_DIR``; then
``make run`` (real Postgres, dbt, Streamlit) must build everything, start no demo API and land no
demo file, and both apps answer with the platform's data version, which a rebuild changes. The
same project without exposures loads and runs with no deploy asset.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import psycopg
import pytest
import requests

from tests.helpers import drop_schemas, free_port, platform_env
from tests.sample_project.dispatch import TECHS, DispatchApi, land_roster

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# models without a custom schema are keyed by name (they land in the target schema, `analytics`)
MODELS = ["crew_members", "crew_workload", "visit_events", "visit_minutes", "visits_per_day"]


@pytest.fixture
def warehouse(database_url):
    """The warehouse without the sample project's schemas."""
    return drop_schemas(database_url, ("intake", "analytics", "registry"))


@pytest.fixture
def field_project(tmp_path):
    root = tmp_path / "field_service"
    shutil.copytree(HERE, root, ignore=shutil.ignore_patterns("__pycache__", "*.py", "target", "dbt_packages", "logs"))
    shutil.copytree(HERE / "apps", root / "apps", dirs_exist_ok=True)
    return root


@pytest.fixture
def dispatch():
    api = DispatchApi(last=date.today() - timedelta(days=1))
    yield api
    api.close()


def project_env(root: Path, tmp: Path, api: DispatchApi) -> dict[str, str]:
    env = platform_env(
        PIPELINE_SOURCES_FILE=root / "sources.yaml", PIPELINE_DBT_PROJECT_DIR=root / "dbt",
        PIPELINE_DASHBOARD_APP_DIR=root, PIPELINE_STATE_DIR=tmp / "state", PIPELINE_LANDING_DIR=tmp / "landing",
        FIELD_DISPATCH_URL=api.url, PIPELINE_DEMO_API_URL=f"http://127.0.0.1:{free_port()}",
        PIPELINE_DASHBOARD_PORT=free_port(), PIPELINE_DBT_DOCS_URL=f"http://127.0.0.1:{free_port()}",
        DO_NOT_TRACK="1",
    )
    # A session fixture of tests/dbt_assets may have set its own dbt target path (and docs server, above)
    # in this worker's environment: a team's `make run` must not inherit them.
    env.pop("DBT_TARGET_PATH", None)
    return env


def make(env: dict, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *targets], cwd=REPO, env=env, capture_output=True, text=True, timeout=1200)


def listening(url: str) -> bool:
    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, int(port))) == 0


def row_counts(output: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^  (\w+\.\w+): (\d+)$", output, re.M)}


def dashboards(output: str) -> dict[str, str]:
    """exposure -> URL from the ``Dashboard: <url> (<exposure>)`` lines."""
    return {m.group(2): m.group(1) for m in re.finditer(r"^Dashboard: (http://\S+) \((\w+)\)$", output, re.M)}


def data_version(url: str) -> str | None:
    return requests.get(f"{url}/_pp/data_version", timeout=10).json()["data_version"]


def graph_of(env: dict, monkeypatch) -> dg.AssetGraph:
    from pipeline_platform.definitions import build_definitions

    for key in ("PIPELINE_SOURCES_FILE", "PIPELINE_DBT_PROJECT_DIR", "PIPELINE_DASHBOARD_APP_DIR"):
        monkeypatch.setenv(key, env[key])
    return build_definitions().resolve_asset_graph()


def test_a_teams_own_project_runs_end_to_end_with_settings_only(warehouse, field_project, dispatch, tmp_path, monkeypatch):
    env = project_env(field_project, tmp_path, dispatch)
    land_roster(tmp_path / "landing")
    try:
        first = make(env, "run")
        assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-3000:]
        out = first.stdout
        days = (date.today() - date(2026, 10, 1)).days  # partitions through yesterday
        counts = row_counts(out)
        assert counts["intake.technicians"] == len(TECHS) and counts["intake.visits"] == 3 * days
        assert counts["analytics.visit_minutes"] == 3 * days and counts["analytics.crew_workload"] == len(TECHS)
        assert counts["analytics.visits_per_day"] == days
        for key in MODELS:
            assert f"  {key}\n" in out, f"{key} not built"
        # one materialization per day for the daily API source and the incremental model, one for the rest
        built = re.search(r"Assets materialized \((\d+) assets, (\d+) materializations\)", out)
        assert built and int(built.group(2)) == 2 * days + (int(built.group(1)) - 2)
        # no demo: nothing listens where the demo API would, no demo file in the landing folder
        assert not listening(env["PIPELINE_DEMO_API_URL"]) and "Demo API" not in out
        landed = sorted(str(p.relative_to(tmp_path / "landing")) for p in (tmp_path / "landing").rglob("*") if p.is_file())
        assert landed == ["hr/exports/crew_roster.csv"]
        with psycopg.connect(warehouse) as conn:  # models land in the target schema, never in public
            assert conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                                "AND table_name IN ('crew_workload', 'visit_minutes')").fetchone()[0] == 0

        graph = graph_of(env, monkeypatch)
        key = dg.AssetKey.from_user_string
        assert graph.get(key("visit_minutes")).partitions_def is not None
        assert graph.get(key("crew_workload")).partitions_def is None
        assert graph.get(key("intake/technicians")).partitions_def is None
        # lineage: each raw asset through dbt to a deploy asset
        assert key("intake/visits") in graph.get(key("visit_events")).parent_keys
        assert key("intake/technicians") in graph.get(key("crew_members")).parent_keys
        assert graph.get(key("deploy_crew_board")).parent_keys == {key("crew_workload")}
        assert graph.get(key("deploy_visit_trends")).parent_keys == {key("visits_per_day")}
        equipment = graph.get(key("registry/equipment"))
        assert not equipment.is_executable and "no loader" in equipment.description

        apps = dashboards(out)
        assert set(apps) == {"crew_board", "visit_trends"}, out[-3000:]
        before = {name: data_version(url) for name, url in apps.items()}
        assert all(before.values())
        dispatch.touch(visit_id=3, minutes=95)  # an edited visit of the first day
        again = make(env, "run")
        assert again.returncode == 0, again.stdout[-5000:]
        after = {name: data_version(url) for name, url in dashboards(again.stdout).items()}
        assert after["visit_trends"] != before["visit_trends"], "a rebuild must change the data version"
        with psycopg.connect(warehouse) as conn:
            assert conn.execute("SELECT minutes FROM analytics.visit_minutes WHERE visit_id = 3").fetchone() == (95,)
    finally:
        make(env, "stop")


def test_the_same_project_without_exposures_runs_with_no_deploy_asset(warehouse, field_project, dispatch, tmp_path, monkeypatch):
    (field_project / "dbt" / "models" / "exposures.yml").unlink()
    env = project_env(field_project, tmp_path, dispatch)
    land_roster(tmp_path / "landing")
    try:
        result = make(env, "run")
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
        assert "Dashboard: http" not in result.stdout
        graph = graph_of(env, monkeypatch)
        assert not [k for k in graph.get_all_asset_keys() if k.path[-1].startswith("deploy_")]
        assert dg.AssetKey("crew_workload") in graph.get_all_asset_keys()
    finally:
        make(env, "stop")
